using HlsGateway.Monitor.Metrics;

namespace HlsGateway.Proxy;

/// <summary>A parsed, validated <c>/hls/&lt;origin&gt;/&lt;path&gt;</c> request.</summary>
internal readonly record struct HlsRequest(
    Origin Origin,
    string Path,          // the path below the origin, percent-encoded as the client sent it, no leading '/'
    string UpstreamQuery, // "" or "?..." with the gateway's own parameters removed
    RouteKind Kind,       // from the extension; playlists are refined to master/media by content
    string CacheKey)
{
    /// <summary>The client that caused this request, for <see cref="ForwardingPolicy"/> (a fill: the client that started it).</summary>
    public ForwardedClient Client { get; init; }

    /// <summary>
    /// The client can be answered with the whole object as the origin sends it (a GET without Range): a fill that
    /// finds the object too large then keeps its response open for this client's stream (<see cref="OpenResponse"/>).
    /// </summary>
    public bool CanTakeOpenResponse { get; init; }

    /// <summary>The request's URL at the origin's primary.</summary>
    public string UpstreamUrl => string.Concat(Origin.BaseUrl, "/", Path, UpstreamQuery);

    /// <summary>The request's URL at one of the origin's base URLs (<see cref="OriginFailover"/>); the cache key does not depend on it.</summary>
    public string UpstreamUrlAt(OriginUrl url) => string.Concat(url.BaseUrl, "/", Path, UpstreamQuery);

    public bool IsPlaylist => Kind is RouteKind.MasterPlaylist or RouteKind.MediaPlaylist;
}
