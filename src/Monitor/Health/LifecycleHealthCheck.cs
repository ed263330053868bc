using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HlsGateway.Monitor.Health;

/// <summary>
/// The only readiness check that can answer Unhealthy (503): before start-up completes and while
/// draining. While it is not ready the ready endpoints run this check alone, so a balancer polling
/// a draining instance gets its 503 at once instead of waiting on origin probes.
/// </summary>
internal sealed class LifecycleHealthCheck(ReadinessGate gate) : IHealthCheck
{
    public const string Name = "lifecycle";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = gate.State;
        var data = new Dictionary<string, object> { ["state"] = ReadinessGate.Name(state) };
        if (gate.DrainingSince is { } since)
        {
            data["drainingSince"] = since.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }
        return Task.FromResult(state switch
        {
            ReadinessState.Ready => HealthCheckResult.Healthy("serving", data),
            ReadinessState.Starting => HealthCheckResult.Unhealthy("starting: start-up has not completed", data: data),
            _ => HealthCheckResult.Unhealthy("draining: shutting down, still serving in-flight and new requests until the server stops", data: data),
        });
    }
}
