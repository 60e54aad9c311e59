using System.Text.Json.Serialization;

namespace Quiver.Cli.Race;

/// <summary>Source-generated serialisation of race.json.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(RaceReport))]
internal sealed partial class RaceJsonContext : JsonSerializerContext;
