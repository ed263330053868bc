using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HlsGateway.Monitor.Health;

/// <summary>
/// The origins, from the prober's cached results (at most one probe round per interval). All up (or
/// none configured): healthy. Some or all down: degraded, never unhealthy: readiness stays 200 because
/// every instance sees the same origins, so taking this one out of rotation would not help, and the
/// gateway still serves what it has cached (stale copies within <c>StaleIfError</c>) and the other origins.
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
        var names = string.Join(", ", down);
        return HealthCheckResult.Degraded(down.Length == origins.Count
            ? $"all {origins.Count} down: {names}; serving cached copies"
            : $"{down.Length} of {origins.Count} down: {names}", data: data);
    }
}
