using System.Text.RegularExpressions;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Cli;

/// <summary>The status line <c>quiver fetch</c> prints on stderr while it runs, as a user sees it in a log.</summary>
public sealed partial class ProgressLineTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("quiver-progress-").FullName;

    [Fact]
    public async Task The_plain_status_line_counts_urls_started_or_queued_and_does_not_call_them_in_flight()
    {
        // Eight pages that each take longer than the first plain status line (every 5 s): when it
        // prints, all eight have been read and none has finished.
        string list = Path.Combine(_directory, "slow.txt");
        File.WriteAllLines(list, Enumerable.Range(1, 8).Select(i => fixture.Server.HttpUrl($"/slow?ms=6500&n={i}")));

        var outcome = await CliRunner.RunAsync(["fetch", list, "-c", "8", "-o", Path.Combine(_directory, "out.jsonl")]);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        string status = Assert.Single(outcome.ErrorLines, line => StatusLine().IsMatch(line));
        var match = StatusLine().Match(status);
        Assert.Equal("0/8", match.Groups["done"].Value);
        Assert.Equal("8", match.Groups["pending"].Value);
        Assert.DoesNotContain("in flight", outcome.StandardError, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^quiver: (?<done>\d+/\d+) done, [\d.,]+/s, (?<pending>\d+) started or queued, \d+ errors, ")]
    private static partial Regex StatusLine();

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
