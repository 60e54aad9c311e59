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
        try
        {
            await worker._stdin.WriteLineAsync(JsonSerializer.Serialize(new WorkerStartup(options, concurrency), QuiverJsonContext.Lines.WorkerStartup).AsMemory(), cancellationToken).ConfigureAwait(false);
            return worker;
        }
        catch
        {
            // Nobody else holds this worker yet: end it here, or it would outlive the run.
            worker.Kill();
            worker.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="batch"/> and forwards each result to <paramref name="results"/> as it
    /// arrives. Returns false when the worker is gone: it died (its unanswered URLs are reported as
    /// <c>worker-crashed</c>) or the run was cancelled (reported as <c>cancelled</c>). When
    /// <paramref name="stopToken"/> fires the consumer has gone: the worker is killed, nothing more is
    /// reported, and this throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<bool> RunBatchAsync(IReadOnlyList<UrlRequest> batch, ChannelWriter<FetchResult> results, CancellationToken runToken, CancellationToken stopToken)
    {
        var pending = new Dictionary<long, UrlRequest>(batch.Count);
        foreach (var request in batch) pending[request.Line] = request;
        // Killing the worker is what interrupts a batch: its pipes close, so the reads and writes
        // below end whether or not the pipe stream honours a token, and no worker outlives a stop.
        using (runToken.Register(static w => ((WorkerProcess)w!).Kill(), this))
        using (stopToken.Register(static w => ((WorkerProcess)w!).Kill(), this))
        {
            try
            {
                foreach (var request in batch)
                {
                    string line = JsonSerializer.Serialize(new WorkerItem(request.Line, request.Text), QuiverJsonContext.Lines.WorkerItem);
                    await _stdin.WriteLineAsync(line.AsMemory(), CancellationToken.None).ConfigureAwait(false);
                }
                await _stdin.FlushAsync(CancellationToken.None).ConfigureAwait(false);

                while (pending.Count > 0)
                {
                    string? line = await _stdout.ReadLineAsync(CancellationToken.None).ConfigureAwait(false);
                    if (line is null) break; // the worker is gone
                    var result = JsonLinesResultWriter.FromJson(line);
                    if (!pending.Remove(result.Line)) continue;
                    await results.WriteAsync(result, stopToken).ConfigureAwait(false);
                }
            }
            catch (IOException)
            {
                // A broken pipe: the worker died (or was killed) while we were writing to it.
            }
        }
        stopToken.ThrowIfCancellationRequested();
        if (pending.Count == 0) return true;

        Kill();
        if (runToken.IsCancellationRequested)
        {
            foreach (var request in pending.Values)
                await results.WriteAsync(FetchResult.Cancelled(request), stopToken).ConfigureAwait(false);
            return false;
        }
        string exit = _process.WaitForExit(5000) ? $"exited with code {_process.ExitCode}" : "stopped answering";
        foreach (var request in pending.Values)
        {
            var crashed = FetchResult.Unfinished(request, FetchErrorKind.WorkerCrashed, $"worker process {ProcessId} {exit} while fetching this URL");
            await results.WriteAsync(crashed, stopToken).ConfigureAwait(false);
        }
        return false;
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone. Never throws: this also runs inside a token's Cancel, e.g. the Ctrl+C handler.
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
