namespace HlsGateway.Demo;

/// <summary>
/// The demo origin's host lifetime: started and stopped by <see cref="DemoOriginService"/> only.
/// Replaces ConsoleLifetime, which would print a second set of start-up banners and react to
/// Ctrl+C on its own.
/// </summary>
internal sealed class DemoHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
