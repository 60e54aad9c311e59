using System.Diagnostics;
using System.Text.Json;

namespace Quiver.Tests.Output.Warc;

/// <summary>What webrecorder's warcio (tools/warcio/verify.mjs) found in a WARC file.</summary>
internal sealed record WarcReport(int Records, Dictionary<string, int> Types, int BlockDigestsVerified, int PayloadDigestsVerified,
    List<string> Targets, Dictionary<string, int> Statuses, List<string> Problems);

/// <summary>
/// Runs the independent reader: Node.js with warcio, from tools/warcio. The package is installed
/// there on first use when missing (npm, once per test run), so a bare `dotnet test` needs only
/// Node.js and npm on the machine, as .ci/run provides.
/// </summary>
internal static class WarcioReader
{
    private static readonly Lazy<Task> Installed = new(() => InstallAsync(ToolsFolder()));

    public static async Task<WarcReport> ReadAsync(string warcPath)
    {
        string tools = ToolsFolder();
        await Installed.Value;
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = tools,
        };
        start.ArgumentList.Add(Path.Combine(tools, "verify.mjs"));
        start.ArgumentList.Add(warcPath);
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, $"warcio failed: {await stderr}");
        return JsonSerializer.Deserialize<WarcReport>(await stdout, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    private static string ToolsFolder() => Path.Combine(Infrastructure.RepositoryRoot.Path, "tools", "warcio");

    private static async Task InstallAsync(string tools)
    {
        if (Directory.Exists(Path.Combine(tools, "node_modules", "warcio"))) return;
        var start = new ProcessStartInfo("npm")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "install", "--no-audit", "--no-fund", "--prefix", tools }) start.ArgumentList.Add(argument);
        Process npm;
        try
        {
            npm = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("warcio needs Node.js and npm: install them (apt-get install nodejs npm; .ci/run does)");
        }
        using (npm)
        {
            var stderr = npm.StandardError.ReadToEndAsync();
            _ = npm.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            try
            {
                await npm.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                npm.Kill(entireProcessTree: true); // not left running after the test run gives up on it
                throw;
            }
            if (npm.ExitCode != 0) throw new InvalidOperationException($"npm install --prefix {tools} failed: {await stderr}");
        }
    }
}
