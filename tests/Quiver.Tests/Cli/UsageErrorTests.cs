using System.Net;
using System.Net.Sockets;
using Quiver.Fetching;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Cli;

/// <summary>
/// The usage contract through the built CLI: a mistake exits 2 with one readable line on stderr and
/// leaves nothing behind, so the corrected command runs; a run that fails at its start (exit 1)
/// removes what it created, never a file that was there before.
/// </summary>
public sealed class UsageErrorTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("quiver-usage-").FullName;

    private LoopbackServer Server => fixture.Server;

    private string InDirectory(string name) => Path.Combine(_directory, name);

    private string WriteList(string name, params string[] lines)
    {
        string path = InDirectory(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private string[] FilesLeft() => [.. Directory.EnumerateFileSystemEntries(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static string OneUsageLine(CliRunner.Outcome outcome)
    {
        Assert.True(outcome.ExitCode == 2, $"exit {outcome.ExitCode}: {outcome.StandardError}");
        string line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith("quiver: ", line, StringComparison.Ordinal);
        return line;
    }

    [Fact]
    public async Task Crawl_MissingSeedsFile_LeavesNoStateFile_SoTheCorrectedCrawlRuns()
    {
        string line = OneUsageLine(await CliRunner.RunAsync(["crawl", "--seeds", "nosuch.txt"], workingDirectory: _directory));
        Assert.Contains("no such file", line, StringComparison.Ordinal);
        Assert.Empty(FilesLeft());

        WriteList("seeds.txt", Server.HttpUrl("/fast"));
        var corrected = await CliRunner.RunAsync(["crawl", "--seeds", "seeds.txt", "--max-pages", "1", "--ignore-robots", "--quiet", "--deny-private", "false"], workingDirectory: _directory);
        Assert.True(corrected.ExitCode == 0, corrected.StandardError);
        Assert.Single(corrected.OutputLines);
        Assert.Contains("quiver-crawl.state", FilesLeft());
    }

    [Fact]
    public async Task Fetch_MissingList_WithState_LeavesNoStateFile_SoTheCorrectedFetchRuns()
    {
        string state = InDirectory("f.state");
        string line = OneUsageLine(await CliRunner.RunAsync(["fetch", InDirectory("nosuch.txt"), "--state", state]));
        Assert.Contains("no such file", line, StringComparison.Ordinal);
        Assert.Empty(FilesLeft());

        string list = WriteList("urls.txt", Server.HttpUrl("/fast"));
        var corrected = await CliRunner.RunAsync(["fetch", list, "--state", state, "--out", InDirectory("out.jsonl"), "--quiet"]);
        Assert.True(corrected.ExitCode == 0, corrected.StandardError);
        Assert.Single(File.ReadAllLines(InDirectory("out.jsonl")));
    }

    [Fact]
    public async Task Fetch_FailingAtStart_RemovesTheStateFileItCreated()
    {
        // The output's folder does not exist: the state file was made before the output failed to open.
        string list = WriteList("urls.txt", Server.HttpUrl("/fast"));
        var outcome = await CliRunner.RunAsync(["fetch", list, "--state", InDirectory("new.state"), "--out", InDirectory("no-folder/out.jsonl"), "--quiet"]);

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal(["urls.txt"], FilesLeft());
    }

    [Theory]
    [InlineData]
    [InlineData("--state", "new.state")]
    public async Task Fetch_FailingAtStart_RemovesTheBodiesFoldersItCreated_NeverTheUsersOwn(params string[] flags)
    {
        // Making the folder fails at its last name, too long for the system, after making those above it.
        WriteList("urls.txt", Server.HttpUrl("/fast"));
        Directory.CreateDirectory(InDirectory("mine"));
        string bodies = $"mine/new/newer/{new string('x', 300)}";
        var outcome = await CliRunner.RunAsync(["fetch", "urls.txt", "--out", "out.jsonl", "--save-bodies", bodies, "--quiet", .. flags], workingDirectory: _directory);

        Assert.True(outcome.ExitCode == 1, $"exit {outcome.ExitCode}: {outcome.StandardError}");
        Assert.Equal(["mine", "urls.txt"], FilesLeft());
        Assert.Empty(Directory.EnumerateFileSystemEntries(InDirectory("mine")));
    }

    [Fact]
    public async Task Fetch_ThatStarts_KeepsTheBodiesFolderItCreated()
    {
        WriteList("urls.txt", Server.HttpUrl("/fast"));
        var outcome = await CliRunner.RunAsync(["fetch", "urls.txt", "--out", "out.jsonl", "--save-bodies", "new/bodies", "--quiet"], workingDirectory: _directory);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        Assert.EndsWith(".body", Assert.Single(Directory.EnumerateFiles(InDirectory("new/bodies"))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_RefusedBecauseTheStateFileExists_LeavesThatFileAsItWas()
    {
        string list = WriteList("urls.txt", Server.HttpUrl("/fast"));
        string state = WriteList("old.state", "not ours to delete");
        string line = OneUsageLine(await CliRunner.RunAsync(["fetch", list, "--state", state, "--out", InDirectory("out.jsonl")]));

        Assert.Contains("--resume", line, StringComparison.Ordinal);
        Assert.Equal(["not ours to delete"], File.ReadAllLines(state));
        Assert.Equal(["old.state", "urls.txt"], FilesLeft());
    }

    [Theory]
    [InlineData("--out", "{list}")]
    [InlineData("--state", "{list}")]
    [InlineData("--warc", "{list}")]
    [InlineData("--out", "{dir}/out.jsonl", "--state", "{dir}/out.jsonl")]
    [InlineData("--out", "{dir}/out.jsonl", "--warc", "{dir}/out.jsonl")]
    [InlineData("--state", "{dir}/s.state", "--warc", "{dir}/s.state")]
    public async Task Fetch_TwoFlagsNamingOneFile_IsRefused_AndTheListIsKept(params string[] flags)
    {
        string list = WriteList("same.txt", Server.HttpUrl("/fast"));
        string[] arguments = [.. flags.Select(f => f.Replace("{list}", list, StringComparison.Ordinal).Replace("{dir}", _directory, StringComparison.Ordinal))];
        string line = OneUsageLine(await CliRunner.RunAsync(["fetch", list, .. arguments]));

        Assert.Contains("same file", line, StringComparison.Ordinal);
        Assert.Equal([Server.HttpUrl("/fast")], File.ReadAllLines(list));
        Assert.Equal(["same.txt"], FilesLeft());
    }

    [Fact]
    public async Task Fetch_OutputGivenAsARelativePathToTheList_IsRefused()
    {
        // Compared as full paths: "./same.txt" from the list's folder is the list itself.
        WriteList("same.txt", "http://127.0.0.1:1/");
        string line = OneUsageLine(await CliRunner.RunAsync(["fetch", "same.txt", "-o", "./same.txt"], workingDirectory: _directory));

        Assert.Contains("same file", line, StringComparison.Ordinal);
        Assert.Equal(["http://127.0.0.1:1/"], File.ReadAllLines(InDirectory("same.txt")));
    }

    [Fact]
    public async Task Fetch_OutputThroughASymbolicLinkToTheList_IsRefused()
    {
        string list = WriteList("same.txt", "http://127.0.0.1:1/");
        File.CreateSymbolicLink(InDirectory("link.txt"), list);
        string line = OneUsageLine(await CliRunner.RunAsync(["fetch", list, "-o", InDirectory("link.txt")]));

        Assert.Contains("same file", line, StringComparison.Ordinal);
        Assert.Equal(["http://127.0.0.1:1/"], File.ReadAllLines(list));
    }

    [Theory]
    [InlineData("fetch", "same.txt", "-o", "here/same.txt")]
    [InlineData("fetch", "same.txt", "--state", "here/here/same.txt")]
    [InlineData("fetch", "same.txt", "--warc", "down/top/same.txt")]
    [InlineData("fetch", "same.txt", "-o", "down/../same.txt")]
    [InlineData("fetch", "same.txt", "--out", "here/new.jsonl", "--state", "new.jsonl")]
    [InlineData("fetch", "same.txt", "--state", "down/new.state", "--warc", "sub/deeper/new.state")]
    [InlineData("crawl", "--seeds", "same.txt", "--out", "here/same.txt")]
    public async Task TwoFlagsNamingOneFile_ThroughLinkedFolders_IsRefused_AndTheListIsKept(params string[] arguments)
    {
        // here -> . and down -> sub/deeper, whose top -> ../.. goes up from sub/deeper as the system goes.
        // A ".." typed by the user is text, as .NET opens the file: down/.. is here, not sub.
        WriteList("same.txt", "http://127.0.0.1:1/");
        Directory.CreateDirectory(InDirectory("sub/deeper"));
        Directory.CreateSymbolicLink(InDirectory("here"), ".");
        Directory.CreateSymbolicLink(InDirectory("down"), "sub/deeper");
        Directory.CreateSymbolicLink(InDirectory("sub/deeper/top"), "../..");
        string line = OneUsageLine(await CliRunner.RunAsync(arguments, workingDirectory: _directory));

        Assert.Contains("same file", line, StringComparison.Ordinal);
        Assert.Equal(["http://127.0.0.1:1/"], File.ReadAllLines(InDirectory("same.txt")));
        Assert.Equal(["down", "here", "same.txt", "sub"], FilesLeft());
        Assert.Equal([InDirectory("sub/deeper/top")], Directory.EnumerateFileSystemEntries(InDirectory("sub/deeper")));
    }

    [Theory]
    [InlineData("-c abc", "--concurrency wants a whole number, got 'abc'")]
    [InlineData("--timeout abc", "--timeout wants a number, got 'abc'")]
    [InlineData("--max-redirects 2.5", "--max-redirects wants a whole number, got '2.5'")]
    [InlineData("--ca-cert {list}", "--ca-cert wants a PEM or DER certificate")]
    [InlineData("--save-bodies {list}", "--save-bodies wants a folder")]
    [InlineData("-s sequential -c 5", "does not apply to the sequential strategy")]
    public async Task Fetch_BadValue_IsOneClearLine(string flags, string expected)
    {
        string list = WriteList("urls.txt", Server.HttpUrl("/fast"));
        string[] arguments = [.. flags.Split(' ').Select(f => f.Replace("{list}", list, StringComparison.Ordinal))];
        string line = OneUsageLine(await CliRunner.RunAsync(["fetch", list, "--out", InDirectory("out.jsonl"), .. arguments]));

        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        Assert.Equal(["urls.txt"], FilesLeft());
    }

    [Fact]
    public async Task Fetch_SequentialWithConcurrencyOne_IsAccepted()
    {
        string list = WriteList("urls.txt", Server.HttpUrl("/fast"));
        var outcome = await CliRunner.RunAsync(["fetch", list, "-s", "sequential", "-c", "1", "--quiet"]);
        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        Assert.Single(outcome.OutputLines);
    }

    [Fact]
    public async Task Fetch_ADirectory_SaysItIsADirectory()
    {
        string line = OneUsageLine(await CliRunner.RunAsync(["fetch", _directory]));
        Assert.Contains("is a directory", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_AUrlInsteadOfAFile_SaysHowToFetchOneUrl()
    {
        string line = OneUsageLine(await CliRunner.RunAsync(["fetch", "https://example.com/"], workingDirectory: _directory));
        Assert.Contains("echo https://example.com/ | quiver fetch", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchHelp_SaysTheStateFileIsOnlyKeptWhenGiven_CrawlHelpNamesItsDefault()
    {
        var fetch = await CliRunner.RunAsync(["fetch", "--help"]);
        var crawl = await CliRunner.RunAsync(["crawl", "--help"]);

        string fetchState = Assert.Single(fetch.OutputLines, l => l.TrimStart().StartsWith("--state", StringComparison.Ordinal));
        Assert.Contains("without it a fetch keeps no state", fetchState, StringComparison.Ordinal);
        Assert.DoesNotContain("OUT.state", fetchState, StringComparison.Ordinal);
        string crawlState = Assert.Single(crawl.OutputLines, l => l.TrimStart().StartsWith("--state", StringComparison.Ordinal));
        Assert.Contains("quiver-crawl.state", crawlState, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Race_MissingList_IsRefusedBeforeAnyWorkOrOutput()
    {
        var outcome = await CliRunner.RunAsync(["race", "--list", "nosuch.txt"], workingDirectory: _directory);

        Assert.Contains("no such file", OneUsageLine(outcome), StringComparison.Ordinal);
        Assert.Empty(outcome.StandardOutput);
        Assert.Empty(FilesLeft());
    }

    [Fact]
    public async Task RaceHelp_ShowsTheDefaultListsAsTheyAreTyped()
    {
        var outcome = await CliRunner.RunAsync(["race", "--help"]);
        string list = Assert.Single(outcome.OutputLines, l => l.TrimStart().StartsWith("--list", StringComparison.Ordinal));
        Assert.Contains("top10,top500", list, StringComparison.Ordinal);
        Assert.DoesNotContain("top10|top500", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_IsTheOneInTheUserAgent()
    {
        var outcome = await CliRunner.RunAsync(["--version"]);
        string version = Assert.Single(outcome.OutputLines).Trim().Split('+')[0];
        Assert.Equal($"Quiver/{version}", FetchOptions.Product);
    }

    [Fact]
    public async Task Sim_OnAPortInUse_SaysThePortIsInUse_AndWritesNothing()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        // The https port may be free or not: either way one of the two is in use.
        var outcome = await CliRunner.RunAsync(
            ["sim", "--address", "127.0.0.1", "--http-port", $"{port}", "--https-port", $"{(port == 65535 ? port - 1 : port + 1)}", "--dir", InDirectory("sim")]);

        string line = OneUsageLine(outcome);
        Assert.Contains("in use", line, StringComparison.Ordinal);
        Assert.DoesNotContain("root", line, StringComparison.Ordinal);
        Assert.Empty(FilesLeft());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
