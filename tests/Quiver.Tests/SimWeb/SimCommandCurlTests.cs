using System.Diagnostics;
using Quiver.Cli.Commands;

namespace Quiver.Tests.SimWeb;

/// <summary>
/// A real third-party client (Debian's curl) fetches a sim site over HTTPS using only what
/// <c>quiver sim</c> printed: the CA file and the resolve mapping.
/// </summary>
public sealed class SimCommandCurlTests
{
    [Fact]
    public async Task Curl_FetchesASimSiteOverHttps_WithThePrintedCaAndMapping()
    {
        string directory = Path.Combine(Path.GetTempPath(), "quiver-sim-cli-" + Guid.NewGuid().ToString("N"));
        string address = SimWebTestServer.RandomAddress().ToString();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { Infrastructure.StrategyRunner.CliAssembly, "sim", "--address", address, "--dir", directory, "--time-scale", "0.05" })
            info.ArgumentList.Add(argument);
        using var sim = Process.Start(info)!;
        try
        {
            var printed = new List<string>();
            while (await sim.StandardOutput.ReadLineAsync() is { } line)
            {
                printed.Add(line);
                if (line.StartsWith(SimCommand.ReadyLine, StringComparison.Ordinal)) break;
            }
            // The message reads stderr to its end, so only when the sim has stopped without getting ready.
            if (printed.Count == 0 || !printed[^1].StartsWith(SimCommand.ReadyLine, StringComparison.Ordinal))
                Assert.Fail($"quiver sim did not get ready: {string.Join('\n', printed)} {await sim.StandardError.ReadToEndAsync()}");
            string caFile = Printed(printed, "CA certificate:");
            string resolveFile = Printed(printed, "resolve mapping:");
            string mapping = File.ReadLines(resolveFile).Single(l => l.StartsWith("www.google.com:443:", StringComparison.Ordinal));
            Assert.Equal($"www.google.com:443:{address}", mapping);

            var (exit, stdout, stderr) = await RunCurlAsync("--silent", "--show-error", "--http2", "--cacert", caFile, "--resolve", mapping,
                "--write-out", "\n%{http_code} %{http_version}", "https://www.google.com/");

            Assert.True(exit == 0, $"curl exited {exit}: {stderr} (sim exited: {sim.HasExited}; printed: {string.Join(" | ", printed)})");
            Assert.Contains("<title>www.google.com (simulated, rank 1)</title>", stdout, StringComparison.Ordinal);
            Assert.EndsWith("\n200 2", stdout, StringComparison.Ordinal);

            // Without the CA, curl refuses the sim's certificate: the trust really comes from the printed file.
            var (untrusted, _, _) = await RunCurlAsync("--silent", "--resolve", mapping, "https://www.google.com/");
            Assert.Equal(60, untrusted);
        }
        finally
        {
            sim.Kill(entireProcessTree: true);
            await sim.WaitForExitAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Printed(List<string> lines, string label)
    {
        string line = lines.Single(l => l.TrimStart().StartsWith(label, StringComparison.Ordinal));
        return line.TrimStart()[label.Length..].Trim().Split("  ")[0];
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunCurlAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        using var curl = Process.Start(info)!;
        var stdout = curl.StandardOutput.ReadToEndAsync();
        var stderr = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        return (curl.ExitCode, await stdout, await stderr);
    }
}
