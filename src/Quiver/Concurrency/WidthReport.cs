namespace Quiver.Concurrency;

/// <summary>The path the width took in one run, for the progress line and the end-of-run summary.</summary>
/// <param name="Start">The width the run started at.</param>
/// <param name="Peak">The widest it went.</param>
/// <param name="Current">The width now (at the end of a run: the final width).</param>
/// <param name="Changes">How many times it changed.</param>
/// <param name="LastReason">Why it last changed (or why it stays), in words.</param>
public sealed record WidthReport(int Start, int Peak, int Current, int Changes, string LastReason);

/// <summary>A strategy or crawler whose width is adjusted while it runs (<c>--concurrency auto</c>).</summary>
public interface IReportsWidth
{
    /// <summary>The width's path so far; null until the run starts.</summary>
    WidthReport? Width { get; }
}
