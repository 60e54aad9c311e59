namespace Quiver.Concurrency;

/// <summary>The CPU this process has spent, so the controller can tell a saturated client from a slow network.</summary>
internal interface ICpuProbe
{
    /// <summary>User + system CPU time of the process since it started.</summary>
    TimeSpan TotalCpu { get; }

    /// <summary>Cores the process may run on.</summary>
    int Cores { get; }
}

/// <summary>The real process: <see cref="Environment.CpuUsage"/> against <see cref="Environment.ProcessorCount"/>.</summary>
internal sealed class ProcessCpuProbe : ICpuProbe
{
    public static readonly ProcessCpuProbe Instance = new();

    public TimeSpan TotalCpu => Environment.CpuUsage.TotalTime;

    public int Cores => Environment.ProcessorCount;
}
