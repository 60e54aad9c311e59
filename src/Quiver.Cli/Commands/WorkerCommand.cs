using System.CommandLine;
using System.Runtime.InteropServices;
using Quiver.Strategies;

namespace Quiver.Cli.Commands;

/// <summary>The hidden <c>quiver worker</c> verb: one worker process of the processes strategies.</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var command = new Command("worker", "Internal: a worker process of the processes strategies (JSON lines on stdin/stdout).")
        {
            Hidden = true,
        };
        command.SetAction(async (_, _) =>
        {
            // Ctrl-C in a terminal reaches the whole process group; the parent decides what stops.
            using var ignoreInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
            using var stdin = Console.OpenStandardInput();
            using var stdout = Console.OpenStandardOutput();
            return await WorkerHost.RunAsync(stdin, stdout, CancellationToken.None);
        });
        return command;
    }
}
