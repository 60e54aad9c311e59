using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Output;

namespace Quiver.Strategies;

/// <summary>
/// One running worker process as the parent sees it: send a batch of URLs, receive their results.
/// The parent always knows which URLs a worker holds, so when the worker dies each of them becomes
/// a <c>worker-crashed</c> result instead of disappearing.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _stdin;
    private readonly StreamReader _stdout;

    private WorkerProcess(Process process)
    {
        _process = process;
        _stdin = process.StandardInput;
        _stdin.AutoFlush = false;
        _stdout = process.StandardOutput;
    }

    public int ProcessId => _process.Id;

    public static async Task<WorkerProcess> StartAsync(WorkerLauncher launcher, FetchOptions options, int concurrency, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(launcher.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        foreach (string argument in launcher.Arguments) info.ArgumentList.Add(argument);
        info.Environment["DOTNET_TieredPGO"] = "0"; // short-lived workers gain nothing from PGO instrumentation
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start worker {launcher.FileName}");
        var worker = new WorkerProcess(process);
        await worker._stdin.WriteLineAsync(JsonSerializer.Serialize(new WorkerStartup(options, concurrency), QuiverJsonContext.Lines.WorkerStartup).AsMemory(), cancellationToken).ConfigureAwait(false);
        return worker;
    }

    /// <summary>
    /// Sends <paramref name="batch"/> and forwards each result to <paramref name="results"/> as it
    /// arrives. Returns false when the worker died (its unanswered URLs were reported as crashed).
    /// </summary>
    public async Task<bool> RunBatchAsync(IReadOnlyList<UrlRequest> batch, ChannelWriter<FetchResult> results, CancellationToken cancellationToken)
    {
        var pending = new Dictionary<long, UrlRequest>(batch.Count);
        foreach (var request in batch) pending[request.Line] = request;
        try
        {
            foreach (var request in batch)
            {
                string line = JsonSerializer.Serialize(new WorkerItem(request.Line, request.Text), QuiverJsonContext.Lines.WorkerItem);
                await _stdin.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
            }
            await _stdin.FlushAsync(cancellationToken).ConfigureAwait(false);

            while (pending.Count > 0)
            {
                string? line = await _stdout.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is null) break; // the worker is gone
                var result = JsonLinesResultWriter.FromJson(line);
                if (!pending.Remove(result.Line)) continue;
                await results.WriteAsync(result, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Kill();
            foreach (var request in pending.Values)
                await results.WriteAsync(Unfinished(request, FetchErrorKind.Cancelled, "the run was cancelled"), CancellationToken.None).ConfigureAwait(false);
            return false;
        }
        catch (IOException)
        {
            // A broken pipe: the worker died while we were writing to it.
        }

        if (pending.Count == 0) return true;

        Kill();
        string exit = _process.WaitForExit(5000) ? $"exited with code {_process.ExitCode}" : "stopped answering";
        foreach (var request in pending.Values)
        {
            var crashed = Unfinished(request, FetchErrorKind.WorkerCrashed, $"worker process {ProcessId} {exit} while fetching this URL");
            await results.WriteAsync(crashed, CancellationToken.None).ConfigureAwait(false);
        }
        return false;
    }

    private static FetchResult Unfinished(UrlRequest request, FetchErrorKind kind, string message) =>
        new FetchResult { Line = request.Line, Url = request.Uri?.AbsoluteUri ?? request.Text, Attempts = 1 }.Fail(kind, message);

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Closes stdin so the worker finishes and exits on its own; kills it if it does not.</summary>
    public void Dispose()
    {
        try
        {
            _stdin.Close();
        }
        catch (IOException)
        {
            // The pipe is already broken.
        }
        if (!_process.WaitForExit(2000)) Kill();
        _process.Dispose();
    }
}
