using HlsGateway.Proxy;

namespace HlsGateway.Demo;

/// <summary>Placeholder: starts nothing yet (the demo channel is being built).</summary>
internal sealed class DemoOriginService(OriginRegistry origins) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = origins;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
