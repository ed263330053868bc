namespace HlsGateway.Monitor.Health;

/// <summary>Result of the latest Redis PING (a snapshot).</summary>
internal sealed record RedisProbe(bool Connected, double? LatencyMs, string? Error, DateTimeOffset CheckedAt);
