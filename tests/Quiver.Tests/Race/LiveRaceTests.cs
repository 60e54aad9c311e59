using System.Text.Json;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Race;

/// <summary>
/// <c>quiver race --live</c> races the list as given, with no sim and no limit. Offline, "live" is a
/// list of real loopback servers: the same code path a user with internet takes.
/// </summary>
public sealed class LiveRaceTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    [Fact]
    public async Task LiveRace_FetchesTheListAsGiven_WithNoSimAndNoLimit()
    {
        var server = fixture.Server;
        string directory = Path.Combine(Path.GetTempPath(), "quiver-live-race-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string list = Path.Combine(directory, "local.txt");
        await File.WriteAllLinesAsync(list,
        [
            new Uri(server.Http, "/fast").AbsoluteUri,
            new Uri(server.Http, "/redirect/2").AbsoluteUri,
            new Uri(server.Http, "/status/404").AbsoluteUri,
            $"http://127.0.0.1:{server.RefusedPort}/",
            // No --ca-cert in a live race: the test CA is not trusted, so this is a tls failure record.
            new Uri(server.Https, "/fast").AbsoluteUri,
        ]);
        string outDir = Path.Combine(directory, "out");
        try
        {
            var outcome = await CliRunner.RunAsync(["race", "--live", "--list", list, "--strategies", "async,threads", "--repeat", "1", "--no-tune", "--out", outDir]);
            Assert.True(outcome.ExitCode == 0, $"quiver race --live exited {outcome.ExitCode}: {outcome.StandardError}");
            Assert.Contains("against the live internet", outcome.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("starting the sim", outcome.StandardError, StringComparison.Ordinal);

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "race.json")));
            Assert.True(json.RootElement.GetProperty("conditions").GetProperty("live").GetBoolean());
            var local = json.RootElement.GetProperty("lists").EnumerateArray().Single();
            Assert.Equal(JsonValueKind.Null, local.GetProperty("limitSeconds").ValueKind);
            foreach (var row in local.GetProperty("strategies").EnumerateArray())
            {
                // /fast, the redirect chain and the 404 are responses; the refused port and the untrusted certificate are failures.
                Assert.Equal(3, row.GetProperty("ok").GetInt32());
                Assert.Equal(2, row.GetProperty("failed").GetInt32());
                Assert.Equal(JsonValueKind.Null, row.GetProperty("wallOverLimit").ValueKind);
                Assert.Equal(JsonValueKind.Null, row.GetProperty("simCpuSeconds").ValueKind);
            }
            string markdown = await File.ReadAllTextAsync(Path.Combine(outDir, "race.md"));
            Assert.Contains("Live internet", markdown, StringComparison.Ordinal);
            Assert.Contains("| async | 256 |", markdown, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
