namespace HlsGateway.Monitor.Stats;

/// <summary>
/// The gateway's seam into /stats and /metrics for origin failover: every origin's base URLs (primary first) and
/// which one fetches go to now. Read at scrape and /stats time, never on the request path.
/// </summary>
public interface IOriginUrlSource
{
    IReadOnlyList<OriginUrlsStatus> GetOriginUrls();
}
