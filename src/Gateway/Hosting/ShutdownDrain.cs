using HlsGateway.Monitor.Health;

namespace HlsGateway.Hosting;

/// <summary>
/// The drain window of a graceful stop (<c>Gateway:Hosting:DrainDelay</c>). The host calls every
/// <see cref="IHostedLifecycleService.StoppingAsync"/> before it stops any hosted service, Kestrel
/// included, so while this waits the listener is still open: in-flight and new requests are served
/// normally and only <c>/health/ready</c> has turned 503 (SIGTERM raises ApplicationStopping even
/// earlier, which the readiness gate also watches). Balancers and Kubernetes endpoints see the 503 and
/// stop sending; then the server stops and in-flight requests get what is left of ShutdownTimeout.
/// </summary>
internal sealed partial class ShutdownDrain(HostingOptions hosting, ReadinessGate readiness, TimeProvider time, ILogger<ShutdownDrain> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        readiness.BeginDrain("stop requested");
        var delay = hosting.DrainDelay;
        if (delay <= TimeSpan.Zero)
        {
            return;
        }
        Log.DrainWindow(logger, delay);
        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // ShutdownTimeout ran out (validation keeps DrainDelay below it; a second signal can still cut it short)
        }
        Log.DrainWindowOver(logger);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 8110, EventName = "DrainWindowStarted", Level = LogLevel.Information, Message = "Drain window of {DrainDelay}: still serving while /health/ready answers 503, then the server stops.")]
        public static partial void DrainWindow(ILogger logger, TimeSpan drainDelay);

        [LoggerMessage(EventId = 8111, EventName = "DrainWindowOver", Level = LogLevel.Information, Message = "Drain window over: the server stops accepting connections; in-flight requests finish within the rest of Gateway:Hosting:ShutdownTimeout.")]
        public static partial void DrainWindowOver(ILogger logger);
    }
}
