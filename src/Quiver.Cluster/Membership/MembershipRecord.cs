using System.Text.Json;

namespace Quiver.Cluster.Membership;

/// <summary>
/// A <see cref="MembershipEntry"/> as the JSON of quiver_membership.entry: every field Orleans reads
/// back, in our own shape (addresses as <see cref="SiloAddress.ToParsableString"/>, times in UTC).
/// </summary>
internal sealed record MembershipRecord(
    string Silo,
    int Status,
    string? SiloName,
    string? HostName,
    string? RoleName,
    int UpdateZone,
    int FaultZone,
    int ProxyPort,
    DateTime StartTime,
    DateTime IAmAliveTime,
    List<SuspicionRecord> Suspicions)
{
    public static MembershipRecord From(MembershipEntry entry) => new(
        entry.SiloAddress.ToParsableString(),
        (int)entry.Status,
        entry.SiloName,
        entry.HostName,
        entry.RoleName,
        entry.UpdateZone,
        entry.FaultZone,
        entry.ProxyPort,
        Utc(entry.StartTime),
        Utc(entry.IAmAliveTime),
        [.. (entry.SuspectTimes ?? []).Select(s => new SuspicionRecord(s.Item1.ToParsableString(), Utc(s.Item2)))]);

    public MembershipEntry ToEntry() => new()
    {
        SiloAddress = SiloAddress.FromParsableString(Silo),
        Status = (SiloStatus)Status,
        SiloName = SiloName ?? "",
        HostName = HostName ?? "",
        RoleName = RoleName,
        UpdateZone = UpdateZone,
        FaultZone = FaultZone,
        ProxyPort = ProxyPort,
        StartTime = StartTime,
        IAmAliveTime = IAmAliveTime,
        SuspectTimes = [.. Suspicions.Select(s => Tuple.Create(SiloAddress.FromParsableString(s.Silo), s.Time))],
    };

    public string ToJson() => JsonSerializer.Serialize(this);

    public static MembershipRecord FromJson(string json) =>
        JsonSerializer.Deserialize<MembershipRecord>(json) ?? throw new InvalidDataException("a membership row's entry is null");

    /// <summary>Npgsql writes timestamptz only from UTC times; Orleans' are UTC already, this makes sure.</summary>
    public static DateTime Utc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Utc => time,
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    };
}

/// <summary>One silo's suspicion of another: who suspected, and when.</summary>
internal sealed record SuspicionRecord(string Silo, DateTime Time);
