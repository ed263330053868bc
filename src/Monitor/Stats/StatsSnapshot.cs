using HlsGateway.Monitor.Health;

namespace HlsGateway.Monitor.Stats;

/// <summary>The /stats document (camelCase JSON). Rates are over the last <see cref="WindowSeconds"/> complete seconds.</summary>
internal sealed record StatsSnapshot(
    DateTimeOffset Now,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    int WindowSeconds,
    double RefreshSeconds,
    bool MetricsEnabled,
    double RequestsPerSecond,
    long RequestsInWindow,
    double? HitRatio,
    double BytesOutPerSecond,
    double BytesInPerSecond,
    IReadOnlyDictionary<string, LatencyStats> Latency,
    long ActiveConnections,
    IReadOnlyDictionary<string, long> ActiveRequests,
    IReadOnlyList<StreamStats> TopStreams,
    int TrackedStreams,
    IReadOnlyList<OriginHealth> Origins,
    IReadOnlyList<OriginUrlsStatus> OriginUrls,
    RedisStats Redis,
    IReadOnlyList<RecordingStatus> Recorder,
    IReadOnlyList<UploadRow> Uploads);

/// <summary>Latency of one route kind over the window, in milliseconds (null: no requests).</summary>
internal sealed record LatencyStats(long Count, double? P50Ms, double? P95Ms, double? P99Ms);

internal sealed record StreamStats(string Stream, string Origin, int Viewers);

internal sealed record RedisStats(bool Configured, bool? Connected, double? LastPingMs, string? Error, long Commands, double? P50Ms, double? P99Ms);
