using System.Diagnostics;

namespace Quiver.Tests.Infrastructure;

/// <summary>Runs the built <c>quiver</c> CLI as a separate process, as a user would.</summary>
public static class CliRunner
{
    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError)
    {
        public string[] OutputLines => StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        public string[] ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// Runs the CLI beside the test assembly under the dotnet host, or <paramref name="executable"/> (a native
    /// build, or the dotnet host for an SDK command) when given; killed with its children past the timeout.
    /// </summary>
    public static async Task<Outcome> RunAsync(
        IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null, string? workingDirectory = null, string? executable = null)
    {
        var info = new ProcessStartInfo(executable ?? "dotnet")
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (executable is null) info.ArgumentList.Add(StrategyRunner.CliAssembly);
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null) await process.StandardInput.WriteAsync(standardInput);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable ?? "quiver"} {string.Join(' ', arguments)} did not finish; stderr so far: {await stderr}");
        }
        return new Outcome(process.ExitCode, await stdout, await stderr);
    }
}
