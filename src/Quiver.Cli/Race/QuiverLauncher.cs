using System.Diagnostics;
using System.Reflection;

namespace Quiver.Cli.Race;

/// <summary>How to start another <c>quiver</c> process (the sim, a strategy run) from this one.</summary>
internal sealed record QuiverLauncher(string FileName, IReadOnlyList<string> PrefixArguments)
{
    /// <summary>The running executable, whether an apphost or <c>dotnet Quiver.Cli.dll</c>.</summary>
    public static QuiverLauncher CurrentExecutable()
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable is running");
        if (!string.Equals(Path.GetFileNameWithoutExtension(process), "dotnet", StringComparison.OrdinalIgnoreCase))
            return new QuiverLauncher(process, []);
        string entry = Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("cannot find the entry assembly");
        return new QuiverLauncher(process, [entry]);
    }

    /// <summary><paramref name="cliDll"/> under the dotnet host (tests).</summary>
    public static QuiverLauncher ForAssembly(string cliDll)
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return new QuiverLauncher(host, [cliDll]);
    }

    /// <summary>A start description for <c>quiver ARGS</c> with its output captured.</summary>
    public ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in PrefixArguments.Concat(arguments)) info.ArgumentList.Add(argument);
        return info;
    }
}
