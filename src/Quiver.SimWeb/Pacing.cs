using System.Diagnostics;

namespace Quiver.SimWeb;

/// <summary>Waits until points in time measured from a start, so that many small waits never add up their overshoot.</summary>
internal static class Pacing
{
    public static async Task DelayUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (remaining > TimeSpan.Zero) await Task.Delay(remaining, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A timestamp <paramref name="duration"/> after <paramref name="timestamp"/>.</summary>
    public static long After(long timestamp, TimeSpan duration) => timestamp + Ticks(duration);

    /// <summary><paramref name="duration"/> in <see cref="Stopwatch"/> ticks, the unit timestamps are counted in.</summary>
    public static long Ticks(TimeSpan duration) => (long)(duration.TotalSeconds * Stopwatch.Frequency);
}
