namespace HlsGateway.Monitor.Health;

/// <summary>Result of the latest probe of one origin (a snapshot).</summary>
internal sealed record OriginHealth(string Name, string Url, string Status, int? StatusCode, double? LatencyMs, string? Error, DateTimeOffset? CheckedAt)
{
    public const string Up = "up";
    public const string Down = "down";
    public const string Unknown = "unknown";
}
