using System.CommandLine;
using System.Runtime.InteropServices;
using Npgsql;

namespace Quiver.Cluster.Cli;

/// <summary>Parses and runs, mapping outcomes to quiver's exit codes: 0 done, 1 the run failed, 2 a usage error in one line.</summary>
internal static class CompanionHost
{
    public const int Ok = 0;
    public const int RunFailed = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(Command root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine($"quiver: {parse.Errors[0].Message} (see 'quiver cluster --help')");
            return UsageError;
        }
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = !stop.IsCancellationRequested;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            if (!stop.IsCancellationRequested) stop.Cancel();
        });
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, stop.Token);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"quiver: {e.Message}");
            return UsageError;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.Error.WriteLine("quiver: stopped");
            return RunFailed;
        }
        catch (NpgsqlException e)
        {
            Console.Error.WriteLine($"quiver: database: {e.Message}");
            return RunFailed;
        }
#pragma warning disable CA1031 // the last line of defence: report, never dump a stack trace on users
        catch (Exception e)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"quiver: {e.GetType().Name}: {e.Message}");
            return RunFailed;
        }
    }
}
