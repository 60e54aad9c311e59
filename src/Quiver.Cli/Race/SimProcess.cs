using System.Diagnostics;
using System.Net;
using Quiver.Cli.Commands;
using Quiver.SimWeb;

namespace Quiver.Cli.Race;

/// <summary>
/// <c>quiver sim</c> as a child process, so that serving the sim never competes with the measured
/// strategy inside one runtime (garbage collector, thread pool), only for the machine's cores.
/// </summary>
internal sealed class SimProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly Task _drain;

    private SimProcess(Process process, SimWebFiles files, Task drain)
    {
        _process = process;
        Files = files;
        _drain = drain;
    }

    public SimWebFiles Files { get; }

    /// <summary>CPU the sim has used so far (user + system), or null where it cannot be read.</summary>
    public double? CpuSeconds() => ChildCpuClock.ProcessSeconds(_process.Id);

    /// <summary>Starts the sim and returns once it prints that it is ready.</summary>
    public static async Task<SimProcess> StartAsync(QuiverLauncher launcher, SimWebOptions options, string directory, CancellationToken cancellationToken)
    {
        var info = launcher.StartInfo(["sim", .. SimOptionSet.ToArguments(options), "--dir", directory]);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start quiver sim");
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StartTimeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(false) is { } line)
            {
                if (!line.StartsWith(SimCommand.ReadyLine, StringComparison.Ordinal)) continue;
                var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(CancellationToken.None), errors);
                return new SimProcess(process, SimWebFiles.In(directory), drain);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Fall through: report the start as failed.
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }
        Stop(process);
        string stderr = await errors.ConfigureAwait(false);
        process.Dispose();
        throw new InvalidOperationException($"quiver sim did not start on {options.Address}: {stderr.Trim()}");
    }

    /// <summary>A loopback address of its own for one race, so that races and tests never collide.</summary>
    public static IPAddress RandomLoopbackAddress()
    {
        // Even last octet: the next (odd) address is the sim's silent one for refusing sites.
        return new IPAddress([127, 77, (byte)Random.Shared.Next(1, 255), (byte)(2 * Random.Shared.Next(1, 127))]);
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await _drain.ConfigureAwait(false);
        _process.Dispose();
    }
}
