using System.Globalization;

namespace Quiver.Cli.Race;

/// <summary>
/// Samples the peak resident memory (VmHWM) of a process and every process below it, so that a
/// strategy's memory includes its worker processes. Linux /proc only; elsewhere it reports nothing.
/// </summary>
/// <remarks>
/// VmHWM only grows, so sampling misses nothing of a process that lives past a sample; the sum of
/// the processes' peaks is an upper bound of the tree's peak (they need not peak together).
/// </remarks>
internal sealed class ProcessTreeMonitor : IAsyncDisposable
{
    private readonly int _root;
    private readonly Dictionary<int, long> _peaks = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();

    private ProcessTreeMonitor(int root, TimeSpan interval)
    {
        _root = root;
        _loop = Task.Run(() => LoopAsync(interval, _stop.Token));
    }

    public static ProcessTreeMonitor Start(int rootProcessId, TimeSpan interval) => new(rootProcessId, interval);

    /// <summary>Sum over the tree of each process's peak resident memory, in bytes.</summary>
    public long PeakBytes
    {
        get
        {
            lock (_gate) return _peaks.Values.Sum();
        }
    }

    /// <summary>Records a peak measured another way (the process's own last word before it exits).</summary>
    public void Record(int processId, long peakBytes)
    {
        lock (_gate) _peaks[processId] = Math.Max(_peaks.GetValueOrDefault(processId), peakBytes);
    }

    private async Task LoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            Sample();
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    private void Sample()
    {
        var pending = new Stack<int>();
        pending.Push(_root);
        while (pending.Count > 0)
        {
            int pid = pending.Pop();
            if (PeakOf(pid) is { } peak) Record(pid, peak);
            foreach (int child in ChildrenOf(pid)) pending.Push(child);
        }
    }

    /// <summary>VmHWM of <paramref name="processId"/> in bytes, or null when it is gone.</summary>
    public static long? PeakOf(int processId)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                string kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
            // The process ended between two reads.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }

    private static IEnumerable<int> ChildrenOf(int processId)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{processId}/task");
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
        var children = new List<int>();
        foreach (string task in tasks)
        {
            try
            {
                foreach (string id in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    children.Add(int.Parse(id, CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The thread ended, or the kernel lacks the children file.
            }
        }
        return children;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }
}
