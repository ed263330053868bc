using System.Text.Json.Serialization;

namespace HlsGateway.Monitor.Stats;

/// <summary>Source-generated serializer for /stats (no reflection at run time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(StatsSnapshot))]
internal sealed partial class StatsJsonContext : JsonSerializerContext;
