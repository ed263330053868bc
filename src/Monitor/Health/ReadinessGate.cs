using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HlsGateway.Monitor.Health;

/// <summary>
/// Whether this instance should be sent traffic. Not before start-up has completed (ApplicationStarted:
/// every hosted service has started, the live allowlist load included), and not once it drains
/// (ApplicationStopping, which SIGTERM raises at once, or <see cref="BeginDrain"/> from the host's drain
/// window, which runs before the server stops listening). Dependencies never make an instance unready:
/// a Redis or origin outage hits every instance alike, and pulling them all would stop the memory tier
/// from carrying the fleet. Resolved while the endpoints are mapped, so its callbacks are registered
/// before the host starts.
/// </summary>
internal sealed partial class ReadinessGate
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<ReadinessGate> _logger;
    private long _drainingSinceTicks; // UTC ticks; 0 while not draining

    public ReadinessGate(IHostApplicationLifetime lifetime, TimeProvider time, ILogger<ReadinessGate> logger)
    {
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
        lifetime.ApplicationStarted.Register(static s => Log.Ready((ILogger)s!), logger);
        lifetime.ApplicationStopping.Register(static s => ((ReadinessGate)s!).BeginDrain("the host is stopping"), this);
    }

    public ReadinessState State =>
        Interlocked.Read(ref _drainingSinceTicks) != 0 ? ReadinessState.Draining
        : _lifetime.ApplicationStarted.IsCancellationRequested ? ReadinessState.Ready
        : ReadinessState.Starting;

    /// <summary>When draining began (null while not draining).</summary>
    public DateTimeOffset? DrainingSince => Interlocked.Read(ref _drainingSinceTicks) is var t and not 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>Readiness answers 503 from now on (idempotent; the first caller's reason is logged).</summary>
    public void BeginDrain(string reason)
    {
        if (Interlocked.CompareExchange(ref _drainingSinceTicks, _time.GetUtcNow().UtcTicks, 0) == 0)
        {
            Log.Draining(_logger, reason);
        }
    }

    /// <summary>The lower-case name used in JSON and metric labels.</summary>
    public static string Name(ReadinessState state) => state switch
    {
        ReadinessState.Starting => "starting",
        ReadinessState.Ready => "ready",
        _ => "draining",
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 8100, EventName = "ReadinessReady", Level = LogLevel.Information, Message = "Start-up complete: /health/ready answers 200 (Healthy or Degraded) from now on.")]
        public static partial void Ready(ILogger logger);

        [LoggerMessage(EventId = 8101, EventName = "ReadinessDraining", Level = LogLevel.Information, Message = "Draining ({Reason}): /health/ready answers 503 from now on; requests are still served until the server stops.")]
        public static partial void Draining(ILogger logger, string reason);
    }
}
