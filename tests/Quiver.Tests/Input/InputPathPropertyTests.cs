using System.Net;
using System.Text.Json;
using CsCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Output;
using Quiver.Tests.Crawl;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Input;

/// <summary>
/// Properties of the input path over generated hostile lists (<see cref="HostileLines"/>): every
/// line that is not blank or a comment gives exactly one record with its line number, every record
/// is valid JSON, and a URL the parser accepts can be sent. Sending never leaves loopback: every
/// name resolves through the test's own resolver and every connection is routed to a loopback server,
/// whatever the URL's host or port. Iterations are bounded to keep the suite fast; a failure prints
/// the seed that reproduces it.
/// </summary>
public sealed class InputPathPropertyTests : IAsyncLifetime
{
    private KestrelHost _server = null!;

    [Fact]
    public void Every_line_that_is_not_blank_or_a_comment_gives_exactly_one_record_with_its_line_number_as_valid_JSON()
    {
        HostileLines.File.Sample(file =>
        {
            using var stream = new MemoryStream(file.Bytes());
            var requests = UrlListReader.ReadAsync(stream).ToBlockingEnumerable().ToList();

            Assert.Equal(file.ExpectedRecordLines(), requests.Select(r => r.Line));
            foreach (var request in requests)
            {
                Assert.True((request.Uri is null) != (request.InvalidReason is null), $"line {request.Line}: a record is a URL or a reason, not both");
                if (request.Uri is { } uri)
                {
                    Assert.True(uri.Scheme is "http" or "https", uri.AbsoluteUri);
                    Assert.Null(HostRules.Check(uri));
                }
                AssertValidRecord(request.InvalidReason is null ? FetchResult.For(request) : FetchResult.For(request).Fail(FetchErrorKind.InvalidUrl, request.InvalidReason), request.Line);
            }
        }, iter: 400, threads: 1);
    }

    [Fact]
    public async Task A_URL_the_parser_accepts_reaches_the_server_with_no_failure_the_parser_could_have_caught()
    {
        var http = new IPEndPoint(IPAddress.Loopback, _server.Addresses[0].Port);
        var https = new IPEndPoint(IPAddress.Loopback, _server.Addresses[1].Port);
        using var fetcher = new Fetcher(new FetchOptions
        {
            Timeout = TimeSpan.FromSeconds(10),
            Insecure = true,
            MaxRedirects = 0,
            NameLookup = (_, _) => Task.FromResult(new[] { IPAddress.Loopback }),
            ConnectEverythingTo = uri => uri.Scheme == "https" ? https : http,
        });
        var accepted = HostileLines.HttpLine.Select(line => UrlRequest.FromLine(1, line)).Where(r => r.Uri is not null);

        await accepted.SampleAsync(async request =>
        {
            var result = await fetcher.FetchAsync(request);
            // Any status is an answer: the request was sent and the server replied (Kestrel answers 400 to some hosts).
            Assert.True(result.Error is null && result.Status is not null,
                $"{request.Uri!.OriginalString} ({request.Uri.IdnHost}): {result.Error?.ToWireName()} {result.ErrorMessage}");
            AssertValidRecord(result, 1);
        }, iter: 400, threads: 1);
    }

    [Fact]
    public async Task The_CLI_fetches_a_generated_hostile_list_to_one_valid_record_per_line_and_exits_zero()
    {
        // One generated list of a few hundred lines (the properties above cover many): the whole program on it, once.
        await HostileLines.File.Array[12].SampleAsync(async files =>
        {
            using var harness = new CrawlHarness();
            var list = new ListFile([.. files.SelectMany(f => f.Lines).Where(IsSafeToSend)], "\n", ByteOrderMark: true, FinalLineEnd: true);
            string path = Path.Combine(harness.Folder, "hostile.txt");
            await File.WriteAllBytesAsync(path, list.Bytes());
            string resolve = Path.Combine(harness.Folder, "resolve.txt");
            await File.WriteAllLinesAsync(resolve, NamesToPin(list));

            // Every name is pinned to 127.0.0.1, so nothing is looked up; only loopback literals are left in the list,
            // and every address outside the pins is refused besides, so nothing can leave loopback.
            var outcome = await CliRunner.RunAsync(["fetch", path, "--quiet", "--timeout", "5", "--connect-timeout", "2",
                "--resolve-file", resolve, "--deny-address", "0.0.0.0/0", "--deny-address", "::/0"]);

            Assert.True(outcome.ExitCode == 0, outcome.StandardError);
            Assert.Empty(outcome.StandardError);
            var records = outcome.OutputLines.Select(line => JsonDocument.Parse(line)).ToList();
            Assert.Equal(list.ExpectedRecordLines(), records.Select(r => r.RootElement.GetProperty("line").GetInt64()).Order());
            var kinds = records.Select(r => r.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null).ToList();
            Assert.DoesNotContain("other", kinds);
            Assert.DoesNotContain("dns", kinds);
            Assert.Contains("invalid-url", kinds);
        }, iter: 1, threads: 1);
    }

    /// <summary>A line whose URL would connect to an IP literal outside loopback is left out of the CLI's list.</summary>
    private static bool IsSafeToSend(byte[] line)
    {
        var request = UrlRequest.FromLine(1, System.Text.Encoding.UTF8.GetString(line));
        return request.Uri is not { HostNameType: UriHostNameType.IPv4 or UriHostNameType.IPv6 } uri
            || HostRules.TryParseLiteral(uri.IdnHost, out var address) && IPAddress.IsLoopback(address);
    }

    private static IEnumerable<string> NamesToPin(ListFile list) =>
        list.Lines.Select(bytes => UrlRequest.FromLine(1, System.Text.Encoding.UTF8.GetString(bytes)).Uri)
            .Where(uri => uri is { HostNameType: UriHostNameType.Dns or UriHostNameType.Basic })
            .Select(uri => $"{uri!.IdnHost}:{uri.Port}:127.0.0.1")
            .Distinct();

    private static void AssertValidRecord(FetchResult result, long line)
    {
        string json = JsonLinesResultWriter.ToJson(result);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(line, document.RootElement.GetProperty("line").GetInt64());
        Assert.Equal(line, JsonLinesResultWriter.FromJson(json).Line);
    }

    public async Task InitializeAsync() =>
        _server = await KestrelHost.StartAsync(
            app => app.Run(context => context.Response.WriteAsync("ok")),
            [KestrelEndpoint.Http, KestrelEndpoint.Https(TestCertificates.Localhost)]);

    public async Task DisposeAsync() => await _server.DisposeAsync();
}
