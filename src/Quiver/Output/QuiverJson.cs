using System.Text.Json;
using System.Text.Json.Serialization;
using Quiver.Fetching;
using Quiver.Strategies;

namespace Quiver.Output;

/// <summary>Source-generated serialisation for every type Quiver writes: no reflection on the hot path.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(FetchResult))]
[JsonSerializable(typeof(FetchOptions))]
[JsonSerializable(typeof(WorkerStartup))]
[JsonSerializable(typeof(WorkerItem))]
internal sealed partial class QuiverJsonContext : JsonSerializerContext
{
    /// <summary>Compact, one object per line.</summary>
    public static QuiverJsonContext Lines { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
