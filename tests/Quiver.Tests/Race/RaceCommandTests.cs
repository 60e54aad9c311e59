using System.Text.Json;

namespace Quiver.Tests.Race;

/// <summary><c>quiver race</c> end to end on a small list: the sim in its own process, strategies in theirs, and the three result files.</summary>
public sealed class RaceCommandTests
{
    [Fact]
    public async Task Race_WritesTheTableFiguresToJson_TheSeedLines_AndARealPng()
    {
        string directory = Path.Combine(Path.GetTempPath(), "quiver-race-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string list = Path.Combine(directory, "mine.txt");
        await File.WriteAllLinesAsync(list, ["http://www.google.com/", "http://youtube.com/", "apple.com", "http://wordpress.org/"]);
        string outDir = Path.Combine(directory, "out");
        try
        {
            var race = await Infrastructure.CliRunner.RunAsync(
                ["race", "--list", list, "--strategies", "sequential,async", "--repeat", "2", "--time-scale", "0.2", "--out", outDir], timeout: TimeSpan.FromMinutes(5));
            Assert.True(race.ExitCode == 0, $"quiver race exited {race.ExitCode}: {race.StandardError}");

            string printed = race.StandardOutput;
            Assert.Matches(@"Function 'sequential' executed in \d+\.\d{4}s", printed);
            Assert.Matches(@"Function 'async' executed in \d+\.\d{4}s", printed);
            Assert.Contains("Recommendation for this workload", printed, StringComparison.Ordinal);

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "race.json")));
            var mine = json.RootElement.GetProperty("lists").EnumerateArray().Single();
            Assert.Equal("mine", mine.GetProperty("name").GetString());
            Assert.Equal(4, mine.GetProperty("urls").GetInt32());
            double limit = mine.GetProperty("limitSeconds").GetDouble();
            double work = mine.GetProperty("totalWorkSeconds").GetDouble();
            Assert.True(limit > 0 && work >= limit, $"limit {limit}, work {work}");
            foreach (var row in mine.GetProperty("strategies").EnumerateArray())
            {
                double wall = row.GetProperty("wallMedianSeconds").GetDouble();
                // No strategy beats the limit; the sequential one cannot beat the total work either.
                Assert.True(wall >= limit * 0.98, $"{row.GetProperty("strategy")} took {wall} s, under the limit {limit} s");
                if (row.GetProperty("strategy").GetString() == "sequential") Assert.True(wall >= work * 0.98, $"sequential {wall} s under the work {work} s");
                Assert.Equal(wall / limit, row.GetProperty("wallOverLimit").GetDouble(), 0.01);
                Assert.Equal(4, row.GetProperty("ok").GetInt32() + row.GetProperty("failed").GetInt32());
                Assert.Equal(2, row.GetProperty("runs").GetArrayLength());
                Assert.True(row.GetProperty("peakMemoryBytes").GetInt64() > 10_000_000);
                Assert.True(row.GetProperty("cpuSeconds").GetDouble() > 0);
                Assert.True(row.GetProperty("latencyP95Ms").GetDouble() >= row.GetProperty("latencyP50Ms").GetDouble());
                Assert.True(row.GetProperty("wallMinSeconds").GetDouble() <= wall && wall <= row.GetProperty("wallMaxSeconds").GetDouble());
            }

            // The fastest fixed-width strategy ran again at half and twice its concurrency, with the same
            // figures; the auto row is measured beside them and never tuned.
            var fixedRows = mine.GetProperty("strategies").EnumerateArray().Where(r => r.GetProperty("strategy").GetString() != "async auto").ToList();
            var fastest = fixedRows
                .Where(r => r.GetProperty("ok").GetInt32() == fixedRows.Max(x => x.GetProperty("ok").GetInt32()))
                .MinBy(r => r.GetProperty("wallMedianSeconds").GetDouble());
            if (fastest.GetProperty("strategy").GetString() == "async")
            {
                var tuning = mine.GetProperty("tuning").EnumerateArray().ToList();
                Assert.Equal([128, 256, 512], tuning.Select(t => t.GetProperty("concurrency").GetInt32()));
                Assert.All(tuning, t => Assert.Equal("async", t.GetProperty("strategy").GetString()));
                Assert.All(tuning, t => Assert.Equal(2, t.GetProperty("runs").GetArrayLength()));
                Assert.All(tuning, t => Assert.True(t.GetProperty("simCpuSeconds").GetDouble() >= 0));
                Assert.Matches(@"async at concurrency (128|256|512), the fastest of the settings measured", printed);
            }
            else
            {
                Assert.Equal(JsonValueKind.Null, mine.GetProperty("tuning").ValueKind);
            }

            byte[] png = await File.ReadAllBytesAsync(Path.Combine(outDir, "race.png"));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            Assert.True(png.Length > 10_000, $"race.png is only {png.Length} bytes");
            string markdown = await File.ReadAllTextAsync(Path.Combine(outDir, "race.md"));
            Assert.Contains("| async |", markdown, StringComparison.Ordinal);
            Assert.Contains("![", markdown, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
