using System.Collections.Frozen;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace Quiver.SimWeb;

/// <summary>
/// Answers one request as the site named by its Host header would, spending exactly the time that
/// <see cref="CriticalPath"/> charges: connection setup on plain http (TLS setup is charged during
/// the handshake), one round trip, then a redirect, or think time and the paced body, or a failure.
/// What every request to a site gets alike comes ready from its <see cref="SiteReplies"/>.
/// </summary>
internal sealed class SiteRequestHandler(SimWorld world, SitePages pages, SimConnections connections, CancellationToken stopping)
{
    private const int SliceBytes = 16 * 1024;
    private const string Server = "quiver-simweb";

    private readonly FrozenDictionary<string, SiteReplies> _sites = SiteReplies.ByName(world);

    public async Task HandleAsync(HttpContext http)
    {
        long arrived = Stopwatch.GetTimestamp();
        var options = world.Options;
        http.Response.Headers.Server = Server;
        // Read once: each read of Host.Host cuts the port off into a new string.
        string host = http.Request.Host.Host;
        if (string.Equals(host, SimWorld.WarmUpHost, StringComparison.OrdinalIgnoreCase))
        {
            http.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        if (_sites.GetValueOrDefault(host) is not { } replies)
        {
            http.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
            return;
        }
        var site = replies.Site;

        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        var cancellationToken = aborted.Token;
        try
        {
            long start = arrived;
            var connection = connections.Find(http.Connection.Id);
            if (!http.Request.IsHttps && connection is not null)
                start = connection.ReadyAt(arrived, replies.RoundTrip);
            long responseAt = start + replies.RoundTrip;

            if (RedirectFor(http.Request, host, replies) is { } next)
            {
                await Pacing.DelayUntilAsync(responseAt, cancellationToken).ConfigureAwait(false);
                http.Response.StatusCode = StatusCodes.Status301MovedPermanently;
                http.Response.Headers.Location = next;
                http.Response.ContentLength = 0;
                return;
            }

            if (site.Failure == SiteFailure.Hang)
            {
                await Task.Delay(options.HangFor, cancellationToken).ConfigureAwait(false);
                return;
            }

            long firstByteAt = responseAt + replies.Think;
            await Pacing.DelayUntilAsync(firstByteAt, cancellationToken).ConfigureAwait(false);
            if (replies.Error is (int status, byte[] errorPage))
            {
                http.Response.StatusCode = status;
                if (site.Failure.SendsRetryAfter()) http.Response.Headers.RetryAfter = "120";
                await SendPacedAsync(http, site, errorPage, firstByteAt, cancellationToken).ConfigureAwait(false);
                return;
            }

            string path = http.Request.Path.Value ?? "/";
            if (path == "/robots.txt")
            {
                await SendRobotsAsync(http, replies.Robots, firstByteAt, cancellationToken).ConfigureAwait(false);
                return;
            }
            byte[] page = pages.PageOf(site, path);
            http.Response.StatusCode = StatusCodes.Status200OK;
            if (site.Failure == SiteFailure.ResetMidBody)
            {
                await SendPacedAsync(http, site, page, firstByteAt, cancellationToken, stopAfter: page.Length / 2).ConfigureAwait(false);
                connection?.Abort();
                http.Abort();
                return;
            }
            await SendPacedAsync(http, site, page, firstByteAt, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client gave up (a hang outlived its timeout) or the sim is stopping.
        }
    }

    /// <summary>
    /// Where the request is redirected, or null: the home page's answer comes ready from the site's
    /// replies; another path (rare: crawls) is parsed into a URL and asked of the world's rule.
    /// </summary>
    private string? RedirectFor(HttpRequest request, string host, SiteReplies replies)
    {
        if (replies.HomeRedirect(request.IsHttps, host) is not { } home) return null;
        if (request.Path.Value == "/" && !request.QueryString.HasValue) return home;
        return world.RedirectFor(new Uri(request.GetEncodedUrl()))?.AbsoluteUri;
    }

    /// <summary>Every site's robots.txt (see <see cref="LinkGraph"/>): small, so it goes out in one slice.</summary>
    private static async Task SendRobotsAsync(HttpContext http, byte[] body, long firstByteAt, CancellationToken cancellationToken)
    {
        await Pacing.DelayUntilAsync(firstByteAt, cancellationToken).ConfigureAwait(false);
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Headers at once, then the body in slices, each leaving when the site's bandwidth allows.</summary>
    private async Task SendPacedAsync(HttpContext http, SiteProfile site, byte[] body, long firstByteAt, CancellationToken cancellationToken, int? stopAfter = null)
    {
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.ContentLength = body.Length;
        await http.Response.StartAsync(cancellationToken).ConfigureAwait(false);
        int end = stopAfter ?? body.Length;
        int sent = 0;
        while (sent < end)
        {
            int slice = Math.Min(SliceBytes, end - sent);
            long due = Pacing.After(firstByteAt, world.Options.Scale(site.TransferTime(sent + slice)));
            await Pacing.DelayUntilAsync(due, cancellationToken).ConfigureAwait(false);
            await http.Response.Body.WriteAsync(body.AsMemory(sent, slice), cancellationToken).ConfigureAwait(false);
            sent += slice;
        }
        await http.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
