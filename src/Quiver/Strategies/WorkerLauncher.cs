using System.Reflection;

namespace Quiver.Strategies;

/// <summary>How to start one worker process: our own executable with the hidden <c>worker</c> verb.</summary>
public sealed record WorkerLauncher(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The running <c>quiver</c> executable, whether started as an apphost or as <c>dotnet quiver.dll</c>.</summary>
    public static WorkerLauncher CurrentExecutable()
    {
        var (fileName, prefix) = RunningExecutable();
        return new WorkerLauncher(fileName, [.. prefix, "worker"]);
    }

    /// <summary>How to start this same program again: the apphost itself, or the dotnet host and the entry assembly.</summary>
    public static (string FileName, string[] PrefixArguments) RunningExecutable()
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable is running");
        if (!string.Equals(Path.GetFileNameWithoutExtension(process), "dotnet", StringComparison.OrdinalIgnoreCase))
            return (process, []);
        // Under the dotnet host the entry assembly is a file beside the app's other files. (A native
        // build never gets here: its ProcessPath is the executable itself.)
        string entry = Assembly.GetEntryAssembly()?.GetName().Name ?? throw new InvalidOperationException("cannot find the entry assembly");
        return (process, [Path.Combine(AppContext.BaseDirectory, entry + ".dll")]);
    }

    /// <summary>Runs <paramref name="quiverDll"/> under the dotnet host (for tests and embedding apps).</summary>
    public static WorkerLauncher ForAssembly(string quiverDll)
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return new WorkerLauncher(host, [quiverDll, "worker"]);
    }
}
