using Quiver.Crawl;

namespace Quiver.Tests.Crawl;

public sealed class RobotsRulesTests
{
    private static bool Allowed(string robots, string path, string token = "Quiver") =>
        RobotsRules.Parse(robots, token).IsAllowed(new Uri("http://example.com" + path));

    [Theory]
    // RFC 9309 §5.2's examples of longest match, wildcards and end anchors.
    [InlineData("Allow: /p\nDisallow: /", "/page", true)]
    [InlineData("Allow: /folder\nDisallow: /folder", "/folder/page", true)]
    [InlineData("Allow: /page\nDisallow: /*.html", "/page.html", false)]
    [InlineData("Allow: /$\nDisallow: /", "/", true)]
    [InlineData("Allow: /$\nDisallow: /", "/page.htm", false)]
    [InlineData("Disallow: /*.php$", "/index.php", false)]
    [InlineData("Disallow: /*.php$", "/index.php?x=1", true)]
    [InlineData("Disallow: /fish*", "/fishheads/yummy.html", false)]
    [InlineData("Disallow: /fish*", "/Fish.asp", true)]
    [InlineData("Disallow:", "/anything", true)]
    [InlineData("Disallow: /a%3cd.html", "/a%3Cd.html", false)]
    [InlineData("Disallow: /~joe", "/%7Ejoe/index", false)]
    [InlineData("Disallow: /", "/robots.txt", true)]
    public void Longest_match_decides_with_allow_winning_ties(string rules, string path, bool allowed) =>
        Assert.Equal(allowed, Allowed("User-agent: *\n" + rules, path));

    [Fact]
    public void The_group_naming_our_token_wins_over_the_star_group_and_groups_merge()
    {
        const string Robots = """
            User-agent: *
            Disallow: /

            User-agent: quiver
            User-agent: otherbot
            Disallow: /private # comment
            Crawl-delay: 2.5

            user-agent: QUIVER
            disallow: /tmp
            """;
        Assert.True(Allowed(Robots, "/public"));
        Assert.False(Allowed(Robots, "/private/x"));
        Assert.False(Allowed(Robots, "/tmp/x"));
        Assert.False(Allowed(Robots, "/public", token: "somebot"));
        Assert.Equal(TimeSpan.FromSeconds(2.5), RobotsRules.Parse(Robots, "Quiver").CrawlDelay);
        Assert.Null(RobotsRules.Parse(Robots, "somebot").CrawlDelay);
    }

    [Fact]
    public void Missing_and_unreachable_robots_mean_allow_all_and_disallow_all()
    {
        Assert.True(RobotsRules.AllowAll.IsAllowed(new Uri("http://example.com/x")));
        Assert.False(RobotsRules.DisallowAll.IsAllowed(new Uri("http://example.com/x")));
        Assert.True(Allowed("garbage without colons\n\n", "/x"));
    }
}
