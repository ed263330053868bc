namespace HlsGateway.Monitor.Stats;

/// <summary>The default until the gateway registers its origin registry: nothing.</summary>
internal sealed class NoOriginUrlSource : IOriginUrlSource
{
    public IReadOnlyList<OriginUrlsStatus> GetOriginUrls() => [];
}
