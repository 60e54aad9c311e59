using System.Diagnostics;

namespace Quiver.Cli;

/// <summary>
/// <c>quiver cluster …</c>, <c>quiver crawl --cluster …</c> and <c>quiver fetch --cluster …</c> run in
/// the companion executable <c>quiver-cluster</c> (src/Quiver.Cluster.Cli), as git runs
/// <c>git-&lt;verb&gt;</c>: the cluster is built on Orleans, which is JIT-only, and this executable is
/// compiled ahead of time and stays free of it. The companion is looked for beside this executable,
/// then on PATH; it gets the arguments unchanged and shares this process's terminal.
/// </summary>
internal static class ClusterHandOff
{
    public const string Companion = "quiver-cluster";

    /// <summary>True for the arguments the companion serves.</summary>
    public static bool Wants(string[] args) =>
        args.Length > 0 && (args[0] == "cluster"
            || (args[0] is "crawl" or "fetch" && args.Any(a => a == "--cluster" || a.StartsWith("--cluster=", StringComparison.Ordinal))));

    public static async Task<int> RunAsync(string[] args)
    {
        if (Find() is not { } start)
        {
            Console.Error.WriteLine($"quiver: '{args[0]}{(args[0] == "cluster" ? "" : " --cluster")}' needs {Companion}, found neither beside quiver nor on PATH (build src/Quiver.Cluster.Cli; README 'Cluster')");
            return CliHost.UsageError;
        }
        foreach (string arg in args) start.ArgumentList.Add(arg);
        start.UseShellExecute = false;
        using var child = Process.Start(start)!;
        // Ctrl-C reaches the companion too (same terminal); quiver waits for it to finish the same way.
        Console.CancelKeyPress += (_, e) => e.Cancel = true;
        await child.WaitForExitAsync().ConfigureAwait(false);
        return child.ExitCode;
    }

    /// <summary>The companion as an executable (apphost), or as a .dll run by the dotnet host that runs this one.</summary>
    private static ProcessStartInfo? Find()
    {
        var folders = new List<string> { AppContext.BaseDirectory };
        folders.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        foreach (string folder in folders)
        {
            string executable = Path.Combine(folder, OperatingSystem.IsWindows() ? Companion + ".exe" : Companion);
            if (File.Exists(executable)) return new ProcessStartInfo(executable);
            string library = Path.Combine(folder, Companion + ".dll");
            if (File.Exists(library) && Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet")
            {
                var start = new ProcessStartInfo(host);
                start.ArgumentList.Add(library);
                return start;
            }
        }
        return null;
    }
}
