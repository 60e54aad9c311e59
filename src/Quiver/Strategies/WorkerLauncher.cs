using System.Reflection;

namespace Quiver.Strategies;

/// <summary>How to start one worker process: our own executable with the hidden <c>worker</c> verb.</summary>
public sealed record WorkerLauncher(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The running <c>quiver</c> executable, whether started as an apphost or as <c>dotnet quiver.dll</c>.</summary>
    public static WorkerLauncher CurrentExecutable()
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable is running");
        if (!string.Equals(Path.GetFileNameWithoutExtension(process), "dotnet", StringComparison.OrdinalIgnoreCase))
            return new WorkerLauncher(process, ["worker"]);
        string entry = Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("cannot find the entry assembly");
        return new WorkerLauncher(process, [entry, "worker"]);
    }

    /// <summary>Runs <paramref name="quiverDll"/> under the dotnet host (for tests and embedding apps).</summary>
    public static WorkerLauncher ForAssembly(string quiverDll)
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return new WorkerLauncher(host, [quiverDll, "worker"]);
    }
}
