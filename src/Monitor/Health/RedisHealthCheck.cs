using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HlsGateway.Monitor.Health;

/// <summary>
/// Readiness of Redis (registered only when <c>Gateway:Redis</c> is set): a live PING with a short
/// timeout. Unreachable: unhealthy. Slower than the 10 ms seed target: degraded.
/// </summary>
internal sealed class RedisHealthCheck(DependencyProber prober) : IHealthCheck
{
    public const double SlowMs = 10;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probe = await prober.PingRedisAsync(cancellationToken).ConfigureAwait(false);
        if (probe is null)
        {
            return HealthCheckResult.Healthy("Redis is not configured");
        }
        var data = new Dictionary<string, object> { ["connected"] = probe.Connected };
        if (probe.LatencyMs is { } ms)
        {
            data["latencyMs"] = Math.Round(ms, 3);
        }
        if (probe.Error is not null)
        {
            return HealthCheckResult.Unhealthy("Redis PING failed: " + probe.Error, data: data);
        }
        return probe.LatencyMs > SlowMs
            ? HealthCheckResult.Degraded($"Redis PING took {probe.LatencyMs:0.0} ms (target < {SlowMs} ms)", data: data)
            : HealthCheckResult.Healthy($"PONG in {probe.LatencyMs:0.00} ms", data);
    }
}
