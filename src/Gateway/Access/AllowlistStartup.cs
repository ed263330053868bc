namespace HlsGateway.Access;

/// <summary>
/// Loads the live allowlist before the server takes requests (bounded: a Redis outage delays start-up by at
/// most 5 s, then the store keeps retrying in the background and only the static allowlist applies meanwhile).
/// </summary>
internal sealed partial class AllowlistStartup(IAllowlistStore store, Allowlist allowlist, ILogger<AllowlistStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await store.InitializeAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.InitialLoadFailed(logger, ex);
        }
        allowlist.Rebuild();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 3052, EventName = "AllowlistInitialLoadFailed", Level = LogLevel.Warning, Message = "Could not load the live allowlist at start-up; only Gateway:Access:Allow applies until the store answers.")]
        public static partial void InitialLoadFailed(ILogger logger, Exception exception);
    }
}
