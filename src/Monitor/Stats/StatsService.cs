using HlsGateway.Monitor.Health;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Monitor.Traffic;
using Microsoft.Extensions.Options;

namespace HlsGateway.Monitor.Stats;

/// <summary>Builds the /stats snapshot from the in-process window (not from the Prometheus text).</summary>
internal sealed class StatsService(
    RequestWindow window,
    TrafficCounters traffic,
    ViewerTracker viewers,
    DependencyProber prober,
    IRecorderStatusSource recorder,
    IOriginUrlSource originUrls,
    IOptionsMonitor<MonitorOptions> options,
    TimeProvider time)
{
    // uptime of the process (the gateway is one process), not of this lazily created service
    private readonly DateTimeOffset _started = new(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime(), TimeSpan.Zero);

    public StatsSnapshot Snapshot()
    {
        var now = time.GetUtcNow();
        var o = options.CurrentValue;
        var w = window.Summarize();
        var latency = new Dictionary<string, LatencyStats>(StringComparer.Ordinal);
        for (var k = 0; k < MetricLabels.Kinds; k++)
        {
            latency[MetricLabels.Kind[k]] = Latency(w, k);
        }
        var active = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var p = 0; p < TrafficCounters.ProtocolLabels.Length; p++)
        {
            active[TrafficCounters.ProtocolLabels[p]] = traffic.ActiveRequests(p);
        }
        var redisLatency = Latency(w, LatencySeries.Redis);
        var ping = prober.LastRedis;
        var redis = new RedisStats(prober.RedisConfigured, ping?.Connected, ping?.LatencyMs is { } ms ? Math.Round(ms, 3) : null, ping?.Error,
            redisLatency.Count, redisLatency.P50Ms, redisLatency.P99Ms);
        var top = viewers.Top(o.TopStreams).Select(s => new StreamStats(s.Stream, s.Origin, s.Viewers)).ToArray();
        return new StatsSnapshot(
            now,
            _started,
            Math.Round((now - _started).TotalSeconds, 1),
            w.Seconds,
            o.RefreshSeconds,
            o.MetricsEnabled,
            Math.Round(w.RequestsPerSecond, 3),
            w.Requests,
            w.HitRatio is { } h ? Math.Round(h, 4) : null,
            Math.Round(w.BytesOutPerSecond, 1),
            Math.Round(w.BytesInPerSecond, 1),
            latency,
            traffic.ActiveConnections,
            active,
            top,
            viewers.Tracked,
            prober.Origins,
            originUrls.GetOriginUrls(),
            redis,
            recorder.GetRecordings(),
            recorder.GetUploads());
    }

    private static LatencyStats Latency(WindowSummary w, int series)
    {
        static double? Ms(double? seconds) => seconds is { } s ? Math.Round(s * 1000, 3) : null;
        return new LatencyStats(w.Count(series), Ms(w.Quantile(series, 0.50)), Ms(w.Quantile(series, 0.95)), Ms(w.Quantile(series, 0.99)));
    }
}
