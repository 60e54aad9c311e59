using System.Globalization;

namespace Quiver.Cli.Race;

/// <summary>
/// CPU time (user + system) from /proc: of this process's finished children and their descendants
/// (cutime + cstime; the difference around one strategy run is that run's CPU, worker processes
/// included, because each parent reaps its children), and of one running process (utime + stime:
/// the sim's share of a run).
/// </summary>
internal static class ChildCpuClock
{
    // USER_HZ: the unit of /proc/*/stat times; 100 on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100.0;

    /// <summary>Seconds of CPU used so far by reaped children, or null where /proc is not there.</summary>
    public static double? ReapedChildrenSeconds() => Read("/proc/self/stat", 16, 17);

    /// <summary>Seconds of CPU used so far by the running process <paramref name="processId"/>, or null where /proc is not there or it has exited.</summary>
    public static double? ProcessSeconds(int processId) => Read($"/proc/{processId}/stat", 14, 15);

    /// <summary>The sum of two time fields of a stat(5) file, numbered as stat(5) numbers them.</summary>
    private static double? Read(string path, int firstField, int secondField)
    {
        try
        {
            string stat = File.ReadAllText(path);
            // The command name may contain spaces; fields are counted after its closing parenthesis.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Field 3 of stat(5) is the first after the name.
            long first = long.Parse(fields[firstField - 3], CultureInfo.InvariantCulture);
            long second = long.Parse(fields[secondField - 3], CultureInfo.InvariantCulture);
            return (first + second) / TicksPerSecond;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
