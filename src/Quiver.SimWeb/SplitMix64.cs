namespace Quiver.SimWeb;

/// <summary>
/// A tiny seeded generator. Hand-written on purpose: a site's profile must be identical on every
/// machine and .NET version for the same seed, and <see cref="Random"/>'s seeded sequence is not a
/// documented contract. SplitMix64 (Steele, Lea, Flood 2014) is the standard choice for this.
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double Between(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Log-normal around <paramref name="median"/>: most values near it, a long tail above.</summary>
    public double LogNormal(double median, double sigma)
    {
        // Box-Muller: one standard normal from two uniforms.
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        double normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return median * Math.Exp(sigma * normal);
    }
}
