using System.Globalization;

namespace Quiver.Cli.Race;

/// <summary>
/// CPU time (user + system) of this process's finished children and their descendants, from
/// /proc/self/stat (cutime + cstime). The difference around one strategy run is that run's CPU,
/// worker processes included, because each parent reaps its children.
/// </summary>
internal static class ChildCpuClock
{
    // USER_HZ: the unit of /proc/*/stat times; 100 on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100.0;

    /// <summary>Seconds of CPU used so far by reaped children, or null where /proc is not there.</summary>
    public static double? ReapedChildrenSeconds()
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            // The command name may contain spaces; fields are counted after its closing parenthesis.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 16 and 17 of stat(5) are cutime and cstime; field 3 is the first after the name.
            long cutime = long.Parse(fields[16 - 3], CultureInfo.InvariantCulture);
            long cstime = long.Parse(fields[17 - 3], CultureInfo.InvariantCulture);
            return (cutime + cstime) / TicksPerSecond;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
