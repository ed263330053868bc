using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HlsGateway.Monitor.Health;

/// <summary>
/// Redis (registered only when <c>Gateway:Redis</c> is set): a live PING with a short timeout.
/// Unreachable or slower than the 10 ms seed target: degraded, never unhealthy. Without Redis the
/// gateway still serves from its memory tier, so readiness stays 200.
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
            return HealthCheckResult.Degraded(probe.Error + ", serving from memory", data: data);
        }
        return probe.LatencyMs > SlowMs
            ? HealthCheckResult.Degraded($"PING took {probe.LatencyMs:0.0} ms (target < {SlowMs} ms)", data: data)
            : HealthCheckResult.Healthy($"PONG in {probe.LatencyMs:0.00} ms", data);
    }
}
