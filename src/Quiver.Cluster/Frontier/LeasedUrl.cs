namespace Quiver.Cluster.Frontier;

/// <summary>A frontier URL leased to one host grain activation (its epoch) for fetching on a silo.</summary>
internal sealed record LeasedUrl(long Job, string HostKey, long Epoch, long Id, Uri Url, int Depth, string? Referrer);

/// <summary>A link to admit to the frontier: its URL, the grain that will own it, and its depth.</summary>
internal readonly record struct Admission(string Url, string HostKey, int Depth, string Referrer);
