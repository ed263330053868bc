namespace HlsGateway.Monitor.Health;

/// <summary>An <see cref="IOriginDirectory"/> over a callback (the gateway adapts its origin registry with one line).</summary>
public sealed class DelegateOriginDirectory(Func<IReadOnlyList<OriginEndpoint>> origins) : IOriginDirectory
{
    public IReadOnlyList<OriginEndpoint> Origins => origins();
}
