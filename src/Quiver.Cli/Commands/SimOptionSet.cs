using System.CommandLine;
using System.Globalization;
using System.Net;
using Quiver.SimWeb;

namespace Quiver.Cli.Commands;

/// <summary>The flags that shape the simulated web, shared by <c>quiver sim</c> and <c>quiver race</c>.</summary>
internal sealed class SimOptionSet(double defaultTimeScale)
{
    public Option<int> Seed { get; } = new("--seed")
    {
        Description = "Seed the site profiles are drawn from",
        DefaultValueFactory = _ => ProfileGenerator.DefaultSeed,
    };

    public Option<double> TimeScale { get; } = new("--time-scale")
    {
        Description = "Multiplies every simulated delay (0.1 = ten times faster than life)",
        DefaultValueFactory = _ => defaultTimeScale,
    };

    public Option<int> HttpPort { get; } = new("--http-port")
    {
        Description = "Port for http (80 needs root or CAP_NET_BIND_SERVICE; other ports appear in the URLs)",
        DefaultValueFactory = _ => 80,
    };

    public Option<int> HttpsPort { get; } = new("--https-port")
    {
        Description = "Port for https",
        DefaultValueFactory = _ => 443,
    };

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Seed, TimeScale, HttpPort, HttpsPort })
            command.Options.Add(option);
    }

    /// <summary>Reads the flags for a sim on <paramref name="address"/>; a bad value is a <see cref="UsageException"/>.</summary>
    public SimWebOptions Read(ParseResult parse, IPAddress address)
    {
        try
        {
            return new SimWebOptions
            {
                Seed = parse.GetValue(Seed),
                TimeScale = parse.GetValue(TimeScale),
                Address = address,
                HttpPort = parse.GetValue(HttpPort),
                HttpsPort = parse.GetValue(HttpsPort),
            }.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The flags that make a child <c>quiver sim</c> serve exactly <paramref name="options"/>.</summary>
    public static IEnumerable<string> ToArguments(SimWebOptions options) =>
    [
        "--seed", options.Seed.ToString(CultureInfo.InvariantCulture),
        "--time-scale", options.TimeScale.ToString("R", CultureInfo.InvariantCulture),
        "--address", options.Address.ToString(),
        "--http-port", options.HttpPort.ToString(CultureInfo.InvariantCulture),
        "--https-port", options.HttpsPort.ToString(CultureInfo.InvariantCulture),
    ];
}
