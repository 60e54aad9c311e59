using System.Net;

namespace Quiver.SimWeb;

/// <summary>Where and how fast the simulated web runs. Validated once by <see cref="Validate"/>.</summary>
public sealed record SimWebOptions
{
    /// <summary>The loopback address the sim listens on when none is given.</summary>
    public static readonly IPAddress DefaultAddress = IPAddress.Parse("127.77.0.1");

    /// <summary>The seed every site profile is drawn from.</summary>
    public int Seed { get; init; } = ProfileGenerator.DefaultSeed;

    /// <summary>Multiplies every delay the sim serves (0.1 = ten times faster than life). Default 1.</summary>
    public double TimeScale { get; init; } = 1.0;

    /// <summary>
    /// The loopback address every site name maps to. Clients can only remap the address of a
    /// host:port, so the sim listens on the URLs' own ports of one address of its own.
    /// </summary>
    public IPAddress Address { get; init; } = DefaultAddress;

    /// <summary>Port for http (default 80; pick another when not allowed to bind it; URLs then carry it).</summary>
    public int HttpPort { get; init; } = 80;

    /// <summary>Port for https (default 443).</summary>
    public int HttpsPort { get; init; } = 443;

    /// <summary>How long a hanging site holds a request unanswered: longer than any sane client timeout.</summary>
    public TimeSpan HangFor { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Where sites that refuse connections are mapped: the next address after <see cref="Address"/>,
    /// on which the sim never listens, so connecting there is refused at once.
    /// </summary>
    public IPAddress RefusedAddress
    {
        get
        {
            byte[] bytes = Address.GetAddressBytes();
            bytes[3] = (byte)(bytes[3] == 255 ? 254 : bytes[3] + 1);
            return new IPAddress(bytes);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public SimWebOptions Validate()
    {
        if (!(TimeScale > 0) || !double.IsFinite(TimeScale)) throw new ArgumentException("the time scale must be a positive number");
        if (Address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || !IPAddress.IsLoopback(Address))
            throw new ArgumentException($"the sim listens on an IPv4 loopback address (127.x.y.z), not {Address}");
        if (HttpPort is < 1 or > 65535 || HttpsPort is < 1 or > 65535 || HttpPort == HttpsPort)
            throw new ArgumentException("the http and https ports must be two different ports from 1 to 65535");
        return this;
    }

    /// <summary><paramref name="duration"/> at this time scale.</summary>
    public TimeSpan Scale(TimeSpan duration) => TimeSpan.FromTicks((long)Math.Round(duration.Ticks * TimeScale));
}
