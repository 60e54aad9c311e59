using Quiver.Concurrency;
using Quiver.Running;
using Spectre.Console;

namespace Quiver.Cli.Terminal;

/// <summary>
/// Live progress on stderr: a redrawn status line when stderr is a terminal, a plain line every
/// few seconds when it is not (logs, CI), nothing when quiet.
/// </summary>
internal sealed class ProgressReporter : IAsyncDisposable
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ProgressReporter(RunStatistics statistics, bool enabled, Func<WidthReport?>? width)
    {
        _loop = !enabled ? Task.CompletedTask
            : Console.IsErrorRedirected ? Task.Run(() => PlainLoopAsync(statistics, width, _stop.Token))
            : Task.Run(() => LiveLoopAsync(statistics, width, _stop.Token));
    }

    /// <summary>Starts showing <paramref name="statistics"/> when <paramref name="enabled"/>; <paramref name="width"/>, under <c>--concurrency auto</c>, gives the width now.</summary>
    public static ProgressReporter Start(RunStatistics statistics, bool enabled, Func<WidthReport?>? width = null) => new(statistics, enabled, width);

    /// <summary>One status line: done/total, rate, started or queued, errors, the adaptive width (if any), ETA.</summary>
    public static string Describe(RunStatistics s, WidthReport? width = null)
    {
        double rate = s.RequestsPerSecond;
        string done = s.Total is { } total ? $"{s.Completed:N0}/{total:N0}" : $"{s.Completed:N0}";
        string eta = s.Total is { } t && rate > 0 && s.Completed < t
            ? $", ETA {TimeSpan.FromSeconds(Math.Ceiling((t - s.Completed) / rate)):g}"
            : "";
        string adaptive = width is { } w ? $", width {w.Current:N0}" : "";
        return $"{done} done, {rate:N1}/s, {s.StartedOrQueued:N0} started or queued, {s.Failed:N0} errors{adaptive}, {s.Elapsed:mm\\:ss}{eta}";
    }

    private static async Task PlainLoopAsync(RunStatistics statistics, Func<WidthReport?>? width, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(PlainInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) await Console.Error.WriteLineAsync($"quiver: {Describe(statistics, width?.Invoke())}");
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    private static async Task LiveLoopAsync(RunStatistics statistics, Func<WidthReport?>? width, CancellationToken stop)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Live(new Markup("")).AutoClear(true).StartAsync(async context =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            try
            {
                do
                {
                    context.UpdateTarget(Render(statistics, width?.Invoke()));
                    context.Refresh();
                }
                while (await timer.WaitForNextTickAsync(stop));
            }
            catch (OperationCanceledException)
            {
                // The run ended.
            }
        });
    }

    private static Markup Render(RunStatistics s, WidthReport? width)
    {
        string bar = "";
        if (s.Total is > 0 and { } total)
        {
            int barWidth = 24;
            int filled = (int)Math.Round(barWidth * Math.Min(1.0, s.Completed / (double)total));
            bar = $"[green]{new string('━', filled)}[/][grey]{new string('━', barWidth - filled)}[/] ";
        }
        return new Markup($"{bar}{Markup.Escape(Describe(s, width))}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
