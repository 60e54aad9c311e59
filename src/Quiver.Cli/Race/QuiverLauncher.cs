using System.Diagnostics;

namespace Quiver.Cli.Race;

/// <summary>How to start another <c>quiver</c> process (the sim, a strategy run) from this one.</summary>
internal sealed record QuiverLauncher(string FileName, IReadOnlyList<string> PrefixArguments)
{
    /// <summary>The running executable, whether an apphost or <c>dotnet Quiver.Cli.dll</c>.</summary>
    public static QuiverLauncher CurrentExecutable()
    {
        var (fileName, prefix) = Strategies.WorkerLauncher.RunningExecutable();
        return new QuiverLauncher(fileName, prefix);
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
