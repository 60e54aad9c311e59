using System.Text.Json;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Cli;

/// <summary>The built <c>quiver fetch</c> process end to end: arguments in, JSON lines and exit codes out.</summary>
public sealed class FetchCommandTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("quiver-cli-").FullName;

    private LoopbackServer Server => fixture.Server;

    private string WriteList(IEnumerable<string> lines)
    {
        string path = Path.Combine(_directory, $"list-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public async Task ThousandLoopbackUrls_WriteThousandJsonLines(string strategy)
    {
        string list = WriteList(Enumerable.Range(1, 1000).Select(i => Server.HttpUrl($"/echo/{i}")));
        var outcome = await CliRunner.RunAsync(["fetch", list, "--strategy", strategy, "--quiet"]);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        var results = outcome.OutputLines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(1000, results.Count);
        Assert.All(results, r => Assert.Equal(200, r.GetProperty("status").GetInt32()));
        Assert.Equal(Enumerable.Range(1, 1000), results.Select(r => r.GetProperty("line").GetInt32()).Order());
        Assert.Equal(
            Enumerable.Range(1, 1000).Select(i => Server.HttpUrl($"/echo/{i}")).Order(StringComparer.Ordinal),
            results.Select(r => r.GetProperty("url").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MissingFile_ExitsTwoWithOneLine()
    {
        var outcome = await CliRunner.RunAsync(["fetch", Path.Combine(_directory, "absent.txt")]);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("no such file", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(outcome.StandardOutput);
    }

    [Theory]
    [InlineData("--no-such-option")]
    [InlineData("--strategy", "telepathy")]
    [InlineData("--concurrency", "many")]
    [InlineData("--resolve", "not-a-mapping")]
    [InlineData("--extract", "colour")]
    [InlineData("--attempts", "0")]
    [InlineData("--retry-delay", "-1")]
    public async Task BadArguments_ExitTwoWithOneLine(params string[] arguments)
    {
        var outcome = await CliRunner.RunAsync(["fetch", WriteList([Server.HttpUrl("/fast")]), .. arguments]);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.StartsWith("quiver: ", outcome.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attempts_RetriesA503UntilItClears()
    {
        string path = $"/flaky/cli-{Guid.NewGuid():N}/1";
        var outcome = await CliRunner.RunAsync(["fetch", WriteList([Server.HttpUrl(path)]), "--attempts", "2", "--retry-delay", "0.01", "--quiet"]);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        var result = JsonDocument.Parse(Assert.Single(outcome.OutputLines)).RootElement;
        Assert.Equal((200, 2), (result.GetProperty("status").GetInt32(), result.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task InvalidLines_ExitZeroAndBecomeInvalidUrlRecordsWithLineNumbers()
    {
        string list = WriteList(["# a list", Server.HttpUrl("/fast"), "ftp://files.test/x", "", "not a url", "javascript:void(0)"]);
        var outcome = await CliRunner.RunAsync(["fetch", list, "--quiet"]);

        Assert.Equal(0, outcome.ExitCode);
        var byLine = outcome.OutputLines.Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(r => r.GetProperty("line").GetInt32());
        Assert.Equal([2, 3, 5, 6], byLine.Keys.Order());
        Assert.Equal(200, byLine[2].GetProperty("status").GetInt32());
        foreach (int line in new[] { 3, 5, 6 })
            Assert.Equal("invalid-url", byLine[line].GetProperty("error").GetString());
    }

    [Fact]
    public async Task Stdin_CsvFormat_AndSummaryOnStderr()
    {
        string input = $"{Server.HttpUrl("/fast")}\r\n{Server.HttpUrl("/status/404")}\r\nhttp://127.0.0.1:{Server.RefusedPort}/\r\n";
        var outcome = await CliRunner.RunAsync(["fetch", "-", "--format", "csv"], standardInput: input);

        Assert.Equal(0, outcome.ExitCode);
        var rows = outcome.StandardOutput.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("line,url,final_url", rows[0], StringComparison.Ordinal);
        Assert.Equal(4, rows.Length);
        Assert.Contains(rows, r => r.Contains(",connection-refused,", StringComparison.Ordinal));
        Assert.Contains("2xx 1, 4xx 1", outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains("connection-refused 1", outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains("p50", outcome.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAndCaCert_ReachAnHttpsHostByName()
    {
        string url = $"https://quiver.test:{Server.Https.Port}/fast";
        string output = Path.Combine(_directory, "out.jsonl");
        var outcome = await CliRunner.RunAsync(
            ["fetch", "--out", output, "--quiet", "--resolve", $"quiver.test:{Server.Https.Port}:127.0.0.1", "--ca-cert", TestCertificates.AuthorityFile, "--insecure"],
            standardInput: url + "\n");

        Assert.Equal(0, outcome.ExitCode);
        var result = JsonDocument.Parse(File.ReadAllText(output)).RootElement;
        Assert.Equal(200, result.GetProperty("status").GetInt32());
        Assert.True(result.GetProperty("timings").GetProperty("tlsMs").GetDouble() > 0);
    }

    [Fact]
    public async Task Interrupt_StopsCleanlyAndKeepsEveryFinishedResult()
    {
        string gate = "interrupt";
        string list = WriteList([Server.HttpUrl("/echo/1"), Server.HttpUrl("/echo/2"), Server.HttpUrl($"/gate/{gate}"), Server.HttpUrl("/echo/4")]);
        string output = Path.Combine(_directory, "interrupted.jsonl");
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Infrastructure.StrategyRunner.CliAssembly, "fetch", list, "--strategy", "sequential", "--out", output })
            info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();

        // Sequential: once the gated URL is being fetched, the two before it are finished.
        await Server.WaitForRequestAsync(r => r.PathAndQuery == $"/gate/{gate}", TimeSpan.FromSeconds(60));
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(130, process.ExitCode);
        var results = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([1, 2, 3], results.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal(200, results[0].GetProperty("status").GetInt32());
        Assert.Equal(200, results[1].GetProperty("status").GetInt32());
        Assert.Equal("cancelled", results[2].GetProperty("error").GetString());
        Assert.Contains("stopped", await stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string> AllStrategies => Infrastructure.StrategyRunner.All;

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
