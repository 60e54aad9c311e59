using System.Text;
using Quiver.SimWeb;

namespace Quiver.Tests.SimWeb;

/// <summary>The replies the server keeps per site say exactly what the world's rules say for every request.</summary>
public sealed class SiteRepliesTests
{
    // Ports of their own, so that the URLs carry them as they do in a race.
    private static readonly SimWorld World = SimWorld.FromTopSites(new SimWebOptions { TimeScale = 0.1, HttpPort = 18080, HttpsPort = 18443 });

    [Fact]
    public void Every_name_of_every_site_has_the_worlds_redirect_for_its_home_page_and_for_no_other_path_when_none()
    {
        var byName = SiteReplies.ByName(World);
        int redirecting = 0, final = 0;
        foreach (var site in World.Sites)
        {
            foreach (string name in site.HostNames)
            {
                // A name written in capitals is the same name.
                foreach (string asked in new[] { name, name.ToUpperInvariant() })
                {
                    var replies = byName[asked];
                    Assert.Same(site, replies.Site);
                    foreach (string scheme in new[] { Uri.UriSchemeHttp, Uri.UriSchemeHttps })
                    {
                        string? home = replies.HomeRedirect(scheme == Uri.UriSchemeHttps, asked);
                        Assert.Equal(World.RedirectFor(World.Url(scheme, asked))?.AbsoluteUri, home);
                        // The server parses no other path when the home page is not redirected.
                        if (home is null)
                        {
                            Assert.Null(World.RedirectFor(World.Url(scheme, asked, "/page/3?q=1")));
                            final++;
                        }
                        else
                        {
                            redirecting++;
                        }
                    }
                }
            }
        }
        Assert.True(redirecting > 0 && final > 0, $"{redirecting} redirecting, {final} final: both kinds must be checked");
    }

    [Fact]
    public void Robots_error_pages_and_delays_are_those_the_limit_charges_for()
    {
        var byName = SiteReplies.ByName(World);
        int failing = 0;
        foreach (var site in World.Sites)
        {
            var replies = byName[site.Host];
            Assert.Equal(LinkGraph.RobotsTxt(site), Encoding.UTF8.GetString(replies.Robots));
            Assert.Equal(Pacing.After(0, World.Options.Scale(site.RoundTrip)), replies.RoundTrip);
            Assert.Equal(Pacing.After(0, World.Options.Scale(site.Think)), replies.Think);
            if (site.Failure.StatusCode() is { } status)
            {
                failing++;
                Assert.Equal(status, replies.Error?.Status);
                Assert.Equal(SitePages.ErrorPage(site, status), replies.Error?.Page);
            }
            else
            {
                Assert.Null(replies.Error);
            }
        }
        Assert.True(failing > 0, "the list has sites failing with a status");
    }
}
