namespace HlsGateway.Monitor.Stats;

/// <summary>An <see cref="IOriginUrlSource"/> over a callback, so the gateway's origin registry (which reports to the metrics) is resolved only when read.</summary>
public sealed class DelegateOriginUrlSource(Func<IReadOnlyList<OriginUrlsStatus>> origins) : IOriginUrlSource
{
    public IReadOnlyList<OriginUrlsStatus> GetOriginUrls() => origins();
}
