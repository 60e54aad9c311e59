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

    private ProgressReporter(RunStatistics statistics, bool enabled)
    {
        _loop = !enabled ? Task.CompletedTask
            : Console.IsErrorRedirected ? Task.Run(() => PlainLoopAsync(statistics, _stop.Token))
            : Task.Run(() => LiveLoopAsync(statistics, _stop.Token));
    }

    public static ProgressReporter Start(RunStatistics statistics, bool enabled) => new(statistics, enabled);

    /// <summary>One status line: done/total, rate, started or queued, errors, ETA.</summary>
    public static string Describe(RunStatistics s)
    {
        double rate = s.RequestsPerSecond;
        string done = s.Total is { } total ? $"{s.Completed:N0}/{total:N0}" : $"{s.Completed:N0}";
        string eta = s.Total is { } t && rate > 0 && s.Completed < t
            ? $", ETA {TimeSpan.FromSeconds(Math.Ceiling((t - s.Completed) / rate)):g}"
            : "";
        return $"{done} done, {rate:N1}/s, {s.StartedOrQueued:N0} started or queued, {s.Failed:N0} errors, {s.Elapsed:mm\\:ss}{eta}";
    }

    private static async Task PlainLoopAsync(RunStatistics statistics, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(PlainInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) await Console.Error.WriteLineAsync($"quiver: {Describe(statistics)}");
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    private static async Task LiveLoopAsync(RunStatistics statistics, CancellationToken stop)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Live(new Markup("")).AutoClear(true).StartAsync(async context =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            try
            {
                do
                {
                    context.UpdateTarget(Render(statistics));
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

    private static Markup Render(RunStatistics s)
    {
        string bar = "";
        if (s.Total is > 0 and { } total)
        {
            int width = 24;
            int filled = (int)Math.Round(width * Math.Min(1.0, s.Completed / (double)total));
            bar = $"[green]{new string('━', filled)}[/][grey]{new string('━', width - filled)}[/] ";
        }
        return new Markup($"{bar}{Markup.Escape(Describe(s))}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
