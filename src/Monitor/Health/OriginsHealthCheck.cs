using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HlsGateway.Monitor.Health;

/// <summary>
/// Readiness of the origins, from the prober's cached results (at most one probe round per
/// interval). All up: healthy. Some down: degraded (still 200: the gateway serves the other
/// origins and stale copies; taking it out of rotation would not help, as every instance sees
/// the same origins). All down: unhealthy (503). No origins: healthy.
/// </summary>
internal sealed class OriginsHealthCheck(DependencyProber prober) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var origins = await prober.GetOriginsAsync(cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var o in origins)
        {
            data[o.Name] = o;
        }
        var down = origins.Where(o => o.Status != OriginHealth.Up).Select(o => o.Name).ToArray();
        if (origins.Count == 0 || down.Length == 0)
        {
            return HealthCheckResult.Healthy($"{origins.Count} origin(s) up", data);
        }
        var description = $"down: {string.Join(", ", down)}";
        return down.Length == origins.Count
            ? HealthCheckResult.Unhealthy(description, data: data)
            : HealthCheckResult.Degraded(description, data: data);
    }
}
