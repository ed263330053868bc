using HlsGateway.Caching;
using HlsGateway.Proxy;

namespace HlsGateway.Playlists;

/// <summary>
/// Writes a cached (un-rewritten) playlist to one client, rewriting its URIs for that client.
/// Playlists are cached as the origin sent them, so per-client signatures never leak between clients.
/// </summary>
internal interface IPlaylistRewriter
{
    /// <summary>False when playlists are served byte-for-byte (then the cached body is written directly).</summary>
    bool IsActive(HttpContext context, in HlsRequest request);

    /// <summary>Writes the rewritten playlist body to the response (headers other than Content-Length are already set).</summary>
    ValueTask WriteAsync(HttpContext context, HlsRequest request, CacheEntry entry, CancellationToken cancellationToken);
}

/// <summary>Serves playlists unchanged (relative URIs already resolve through the gateway).</summary>
internal sealed class IdentityPlaylistRewriter : IPlaylistRewriter
{
    public bool IsActive(HttpContext context, in HlsRequest request) => false;

    public ValueTask WriteAsync(HttpContext context, HlsRequest request, CacheEntry entry, CancellationToken cancellationToken) =>
        context.Response.Body.WriteAsync(entry.Body, cancellationToken);
}
