using System.Diagnostics;

namespace Quiver.Tests.Cli;

public sealed class FetchCommandInputTests
{
    [Fact]
    public async Task A_fifo_input_is_read_once_so_no_line_is_lost_to_the_progress_count()
    {
        // A named pipe passes File.Exists but cannot be read twice: counting it first would eat the list.
        string folder = Directory.CreateTempSubdirectory("quiver-fifo-").FullName;
        try
        {
            string fifo = Path.Combine(folder, "urls");
            using (var mkfifo = Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync();
            string output = Path.Combine(folder, "out.jsonl");
            string cli = Path.Combine(AppContext.BaseDirectory, "Quiver.Cli.dll");
            var start = new ProcessStartInfo("dotnet", ["exec", cli, "fetch", fifo, "--out", output, "--quiet"]) { RedirectStandardError = true };
            using var quiver = Process.Start(start)!;
            try
            {
                // Lines that are not URLs: the results are invalid-url records, and no network is touched.
                await File.WriteAllLinesAsync(fifo, ["not a url", "ftp://example.invalid/file", "also not a url"]);
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await quiver.WaitForExitAsync(patience.Token);
            }
            finally
            {
                if (!quiver.HasExited) quiver.Kill(entireProcessTree: true);
            }

            Assert.Equal(0, quiver.ExitCode);
            var lines = await File.ReadAllLinesAsync(output);
            Assert.Equal(3, lines.Length);
            Assert.All(lines, line => Assert.Contains("\"error\":\"invalid-url\"", line, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
