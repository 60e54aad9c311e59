namespace Quiver.Cluster.Membership;

/// <summary>Where Quiver's Orleans membership lives: the cluster's PostgreSQL database.</summary>
internal sealed record PostgresMembershipOptions(string ConnectionString);
