namespace HlsGateway.Monitor.Health;

/// <summary>Where the instance is in its life, as <c>/health/ready</c> reports it.</summary>
internal enum ReadinessState
{
    /// <summary>Start-up has not completed: some hosted service (allowlist load, ...) is still starting.</summary>
    Starting,

    /// <summary>Serving; dependencies decide only between Healthy and Degraded, both 200.</summary>
    Ready,

    /// <summary>SIGTERM (or a host stop) arrived: still serving, but balancers should stop sending.</summary>
    Draining,
}
