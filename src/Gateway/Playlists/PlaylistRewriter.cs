using System.Runtime.CompilerServices;
using HlsGateway.Access;
using HlsGateway.Caching;
using HlsGateway.Proxy;

namespace HlsGateway.Playlists;

/// <summary>
/// Serves every playlist with its URIs rewritten through the gateway (<see cref="PlaylistLineRewriter"/>).
/// The cache keeps origin bytes; rewriting happens here, per response. Unsigned requests all get the same
/// output, so it is computed once per cache entry (a weak table: it dies with the entry). Signed requests
/// are rewritten per client, streamed through the response's pooled PipeWriter in 32 KB steps.
/// </summary>
internal sealed partial class PlaylistRewriter(OriginRegistry origins, AccessConfigMonitor access, ILogger<PlaylistRewriter> logger) : IPlaylistRewriter
{
    private const int FlushEvery = 32 * 1024;
    private readonly ConditionalWeakTable<CacheEntry, byte[]> _unsigned = new();
    private readonly ConditionalWeakTable<CacheEntry, SignedVariants> _signed = new();

    public bool IsActive(HttpContext context, in HlsRequest request) => true;

    public async ValueTask WriteAsync(HttpContext context, HlsRequest request, CacheEntry entry, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.Headers.AcceptRanges = "none";
        var signed = context.Features.Get<SignedRequest>();
        byte[]? key = null;
        if (signed is not null && !access.Current.TryGetKey(signed.Kid, out key))
        {
            signed = null; // the key was retired between the check and now: children go out unsigned (and will be refused)
        }
        if (signed is null)
        {
            if (!_unsigned.TryGetValue(entry, out var body))
            {
                var ctx = new PlaylistRewriteContext(request, origins.All, null, null);
                body = PlaylistLineRewriter.RewriteAll(entry.Body, ctx);
                LogRefused(ctx);
                _unsigned.AddOrUpdate(entry, body);
            }
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Per-client output (it carries this client's signature): private to whoever holds the same signed
        // URL. A player reloading the same signed URL, or many viewers given one token, reuse the rewrite of
        // this cache entry for exactly these parameters and this key.
        response.Headers.ETag = default;
        response.Headers.CacheControl = CacheHeaders.MakePrivate(response.Headers.CacheControl);
        var variants = _signed.GetValue(entry, static _ => new SignedVariants());
        if (variants.TryGet(signed, key!, out var cached))
        {
            response.ContentLength = cached.Length;
            await response.Body.WriteAsync(cached, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (entry.Body.Length <= SignedVariants.MaxBodyBytes)
        {
            var ctx = new PlaylistRewriteContext(request, origins.All, signed, key);
            var rewritten = PlaylistLineRewriter.RewriteAll(entry.Body, ctx);
            LogRefused(ctx);
            variants.Add(signed, key!, rewritten);
            response.ContentLength = rewritten.Length;
            await response.Body.WriteAsync(rewritten, cancellationToken).ConfigureAwait(false);
            return;
        }

        // a huge playlist: stream it out in steps rather than hold a per-client copy
        var signedCtx = new PlaylistRewriteContext(request, origins.All, signed, key);
        var writer = response.BodyWriter;
        var offset = 0;
        while (offset < entry.Body.Length)
        {
            offset = PlaylistLineRewriter.Rewrite(entry.Body, offset, writer, signedCtx, FlushEvery);
            var flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                break;
            }
        }
        LogRefused(signedCtx);
    }

    private void LogRefused(PlaylistRewriteContext ctx)
    {
        if (ctx.RefusedCount > 0)
        {
            Log.Refused(logger, ctx.RefusedCount, ctx.Request.Origin.Name, ctx.Request.Path, ctx.FirstRefused ?? string.Empty);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, EventName = "PlaylistUrisRefused", Level = LogLevel.Warning,
            Message = "Playlist {Origin}/{Path}: {Count} URI(s) point outside the configured origins and were replaced (first: {Uri}).")]
        public static partial void Refused(ILogger logger, int count, string origin, string path, string uri);
    }
}
