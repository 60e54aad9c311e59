using System.CommandLine;
using System.Runtime.InteropServices;

namespace Quiver.Cli;

/// <summary>
/// Parses, runs and maps outcomes to exit codes: 0 the run completed, 1 the run itself failed,
/// 2 a usage error (always one readable line on stderr), 130 stopped by Ctrl-C with finished results kept.
/// </summary>
internal static class CliHost
{
    public const int Ok = 0;
    public const int RunFailed = 1;
    public const int UsageError = 2;

    /// <summary>Stopped by Ctrl-C or SIGTERM after keeping every finished result (the shell's 128 + SIGINT).</summary>
    public const int Interrupted = 130;

    public static async Task<int> RunAsync(Command root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // For `quiver bogus` the parser reports the missing command first; the unknown word says more.
            var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            Console.Error.WriteLine($"quiver: {ParseErrorMessages.Describe(error)} (see 'quiver --help')");
            return UsageError;
        }

        // Ctrl-C and SIGTERM stop the run gracefully: strategies finish or cancel what is in flight
        // and every finished result is written. A second Ctrl-C ends the process at once.
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = !stop.IsCancellationRequested;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(configuration, stop.Token);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"quiver: {e.Message}");
            return UsageError;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.Error.WriteLine("quiver: stopped");
            return RunFailed;
        }
#pragma warning disable CA1031 // the last line of defence: report, never dump a stack trace on users
        catch (Exception e)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"quiver: error: {e.Message}");
            if (Environment.GetEnvironmentVariable("QUIVER_DEBUG") is "1") Console.Error.WriteLine(e);
            return RunFailed;
        }
    }
}

/// <summary>A mistake in how the command was called: reported as one line, exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException() { }
    public UsageException(string message) : base(message) { }
    public UsageException(string message, Exception inner) : base(message, inner) { }
}
