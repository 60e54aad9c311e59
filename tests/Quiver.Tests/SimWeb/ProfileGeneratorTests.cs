using Quiver.SimWeb;

namespace Quiver.Tests.SimWeb;

public sealed class ProfileGeneratorTests
{
    [Fact]
    public void TheSameSeed_GivesEverySiteTheSameProfile()
    {
        var first = ProfileGenerator.Generate(1234, TopSite.All);
        var second = ProfileGenerator.Generate(1234, TopSite.All);

        Assert.Equal(500, first.Count);
        Assert.Equal(first, second);
    }

    [Fact]
    public void AnotherSeed_GivesSitesOtherProfiles()
    {
        var first = ProfileGenerator.Generate(1234, TopSite.All);
        var other = ProfileGenerator.Generate(1235, TopSite.All);

        int differentRoundTrips = first.Zip(other).Count(p => p.First.RoundTrip != p.Second.RoundTrip);
        int differentBodies = first.Zip(other).Count(p => p.First.BodyBytes != p.Second.BodyBytes);
        Assert.True(differentRoundTrips > 490, $"only {differentRoundTrips} of 500 round trips differ");
        Assert.True(differentBodies > 490, $"only {differentBodies} of 500 body sizes differ");
    }

    [Fact]
    public void AProfileDependsOnTheSiteNotOnItsPlaceInAList()
    {
        var inList = ProfileGenerator.Generate(7, TopSite.All)[41];
        var alone = ProfileGenerator.Generate(7, inList.Rank, inList.Host);

        Assert.Equal(inList, alone);
    }

    [Fact]
    public void TheDefaultWeb_HasRealSitesShape()
    {
        var sites = ProfileGenerator.Generate(ProfileGenerator.DefaultSeed, TopSite.All);
        var rtts = sites.Select(s => s.RoundTrip.TotalMilliseconds).Order().ToArray();
        var thinks = sites.Select(s => s.Think.TotalMilliseconds).Order().ToArray();

        // Round trips: mostly tens of milliseconds, a tail into the hundreds.
        Assert.InRange(rtts[rtts.Length / 2], 20, 60);
        Assert.InRange(sites.Count(s => s.RoundTrip.TotalMilliseconds >= 150), 5, 50);
        // Think time: mostly fast, a handful of sites taking seconds.
        Assert.InRange(thinks[thinks.Length / 2], 30, 120);
        Assert.InRange(sites.Count(s => s.Think >= TimeSpan.FromSeconds(2)), 2, 15);
        // Redirects as real sites do them.
        Assert.InRange(sites.Count(s => s.RedirectsToHttps), 400, 490);
        Assert.InRange(sites.Count(s => s.RedirectsToWww), 100, 250);
        Assert.All(sites.Where(s => s.RedirectsToWww), s => Assert.False(s.Host.StartsWith("www.", StringComparison.Ordinal)));
        // A few percent fail, spread over every kind; the top ten never do.
        int failing = sites.Count(s => s.Failure != SiteFailure.None);
        Assert.InRange(failing, 10, 50);
        foreach (var kind in Enum.GetValues<SiteFailure>())
            Assert.Contains(sites, s => s.Failure == kind);
        Assert.All(sites.Take(ProfileGenerator.ReliableTopRanks), s => Assert.Equal(SiteFailure.None, s.Failure));
    }

    [Theory]
    [InlineData("apple.com", true)]
    [InlineData("bbc.co.uk", true)]
    [InlineData("www.google.com", false)]
    [InlineData("play.google.com", false)]
    public void OnlyBareDomainsRedirectToWww(string host, bool apex) => Assert.Equal(apex, ProfileGenerator.IsApex(host));
}
