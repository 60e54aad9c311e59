using System.Diagnostics;
using System.Text.Json;

namespace Quiver.Tests.Output.Warc;

/// <summary>What webrecorder's warcio (tools/warcio/verify.mjs) found in a WARC file.</summary>
internal sealed record WarcReport(int Records, Dictionary<string, int> Types, int BlockDigestsVerified, int PayloadDigestsVerified,
    List<string> Targets, Dictionary<string, int> Statuses, List<string> Problems);

/// <summary>Runs the independent reader: Node.js with warcio, installed into tools/warcio by .ci/run.</summary>
internal static class WarcioReader
{
    public static async Task<WarcReport> ReadAsync(string warcPath)
    {
        string tools = Path.Combine(RepositoryRoot(), "tools", "warcio");
        Assert.True(Directory.Exists(Path.Combine(tools, "node_modules", "warcio")),
            $"warcio is not installed: run 'npm install --prefix {tools}' (.ci/run does)");
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

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Quiver.slnx"))) return folder.FullName;
        }
        throw new InvalidOperationException("Quiver.slnx not found above the test folder");
    }
}
