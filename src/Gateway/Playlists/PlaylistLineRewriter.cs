using System.Buffers;
using System.Text;
using HlsGateway.Access;
using HlsGateway.Hls;
using HlsGateway.Proxy;

namespace HlsGateway.Playlists;

/// <summary>
/// Rewrites an m3u8 body for players through the shared playlist writer (<see cref="M3u8UriRewriter"/>: bytes in,
/// bytes out, no string per line on the common path). Every URI goes through the gateway: simple relative references stay as they are (they resolve
/// below the playlist's gateway URL) and only gain the signature; all others are made gateway paths. URI lines (segments, variant streams) and the quoted URI
/// attributes of EXT-X-MEDIA, -I-FRAME-STREAM-INF, -KEY, -SESSION-KEY, -MAP, -PART, -PRELOAD-HINT,
/// -RENDITION-REPORT, -SESSION-DATA (and X-ASSET-URI / X-ASSET-LIST of EXT-X-DATERANGE). Relative
/// references resolve against the playlist URL; absolute ones must fall under a configured origin's base
/// URL, otherwise they are replaced by <see cref="PlaylistRewriteContext.RefusedUri"/> (no SSRF). Key URIs
/// with other schemes (skd://, data:) are left alone. EXT-X-CONTENT-STEERING is dropped: it would send
/// players to other hosts.
/// </summary>
internal static class PlaylistLineRewriter
{
    private const int MaxUriChars = 4096;

    /// <summary>Printable ASCII but for the characters RFC 3986 excludes and '#': what a simple relative reference is made of.</summary>
    private static readonly SearchValues<byte> SimpleUriBytes =
        SearchValues.Create("!$%&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz~"u8);

    /// <summary>
    /// Rewrites whole lines from <paramref name="offset"/> until at least <paramref name="budget"/> bytes were
    /// written or the body ends; returns the offset to continue from (so the caller can flush between calls).
    /// </summary>
    public static int Rewrite(ReadOnlySpan<byte> body, int offset, IBufferWriter<byte> output, PlaylistRewriteContext ctx, int budget)
    {
        var mapper = new GatewayUriMapper(ctx);
        return M3u8UriRewriter.Rewrite(body, offset, output, ref mapper, budget, M3u8WriteMode.Normalized);
    }

    /// <summary>Rewrites a whole body into one array (used for unsigned requests, whose output is the same for every client).</summary>
    public static byte[] RewriteAll(ReadOnlySpan<byte> body, PlaylistRewriteContext ctx)
    {
        var mapper = new GatewayUriMapper(ctx);
        return M3u8UriRewriter.RewriteAll(body, ref mapper, M3u8WriteMode.Normalized);
    }

    /// <summary>The shared writer's callbacks: steering tags go, every URI becomes a gateway URI.</summary>
    private readonly struct GatewayUriMapper(PlaylistRewriteContext ctx) : IUriMapper
    {
        public bool KeepTag(in M3u8Line line) => !line.IsTag("#EXT-X-CONTENT-STEERING"u8);

        public int WriteUri(ReadOnlySpan<byte> uri, HlsTag tag, ReadOnlySpan<byte> tagName, IBufferWriter<byte> output) =>
            PlaylistLineRewriter.WriteUri(uri, output, ctx, isKey: tag is HlsTag.Key or HlsTag.SessionKey);
    }

    /// <summary>Writes the gateway URI for one reference.</summary>
    private static int WriteUri(ReadOnlySpan<byte> uri, IBufferWriter<byte> output, PlaylistRewriteContext ctx, bool isKey)
    {
        if (uri.IsEmpty || uri.Length > MaxUriChars)
        {
            return Refuse(uri, output, ctx);
        }
        Span<char> chars = stackalloc char[uri.Length];
        Encoding.Latin1.GetChars(uri, chars); // byte for char, vectorised
        if (!uri.ContainsAnyExcept(SimpleUriBytes) && TrySimpleRelative(chars, out var pathLength))
        {
            // The common case: "seg42.ts", "720p/index.m3u8?x=1" below the playlist's directory. It already
            // resolves through the gateway (players resolve against the playlist URL), so it stays relative.
            var n = Write(output, uri[..pathLength]);
            return n + WriteQueryAndSignature(chars[pathLength..], ctx.DirPrefixText.AsSpan(), chars[..pathLength], output, ctx);
        }
        return WriteResolved(uri, output, ctx, isKey);
    }

    /// <summary>A relative-path reference without scheme, dot segments or other tricks: dir + reference.</summary>
    private static bool TrySimpleRelative(ReadOnlySpan<char> uri, out int pathLength)
    {
        var q = uri.IndexOf('?');
        pathLength = q < 0 ? uri.Length : q;
        var path = uri[..pathLength];
        return !path.IsEmpty && path[0] != '/' && !path.Contains(':') && HlsPathParser.IsSafePath(path);
    }

    private static int WriteResolved(ReadOnlySpan<byte> uriBytes, IBufferWriter<byte> output, PlaylistRewriteContext ctx, bool isKey)
    {
        var text = Encoding.UTF8.GetString(uriBytes);
        var colon = text.IndexOf(':');
        var slash = text.IndexOfAny(['/', '?', '#']);
        if (colon > 0 && (slash < 0 || colon < slash))
        {
            var scheme = text[..colon];
            if (!scheme.Equals("http", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
            {
                // skd:// (FairPlay) and data: key URIs are not fetched through anyone; every other non-HTTP URI
                // (a data: variant playlist could carry URIs we never see) is refused
                return isKey ? Write(output, uriBytes) : Refuse(uriBytes, output, ctx);
            }
        }
        Uri? absolute;
        try
        {
            if (!Uri.TryCreate(ctx.PlaylistUri, text, out absolute) || (absolute.Scheme != Uri.UriSchemeHttp && absolute.Scheme != Uri.UriSchemeHttps))
            {
                return Refuse(uriBytes, output, ctx);
            }
        }
        catch (UriFormatException)
        {
            return Refuse(uriBytes, output, ctx);
        }
        string gatewayPath, query;
        try
        {
            // Uri parses some hosts lazily: IdnHost throws for a host that is not valid IDN (found by fuzzing)
            if (!TryMapToOrigin(absolute, ctx, out gatewayPath))
            {
                return Refuse(uriBytes, output, ctx);
            }
            query = absolute.Query;
        }
        catch (UriFormatException)
        {
            return Refuse(uriBytes, output, ctx);
        }
        var n = WriteAscii(output, gatewayPath);
        return n + WriteQueryAndSignature(query.AsSpan(), gatewayPath, default, output, ctx);
    }

    /// <summary>Finds the configured origin whose base URL (scheme, host, port, base path) the URL falls under; the request's own origin first.</summary>
    private static bool TryMapToOrigin(Uri absolute, PlaylistRewriteContext ctx, out string gatewayPath)
    {
        if (TryMap(absolute, ctx.Request.Origin, out gatewayPath))
        {
            return true;
        }
        foreach (var origin in ctx.Origins)
        {
            if (!ReferenceEquals(origin, ctx.Request.Origin) && TryMap(absolute, origin, out gatewayPath))
            {
                return true;
            }
        }
        return false;
    }

    private static bool TryMap(Uri absolute, Origin origin, out string gatewayPath)
    {
        // a playlist a backup served may name the backup's host: any of the origin's base URLs maps to it
        var urls = origin.Failover.Urls;
        for (var i = 0; i < urls.Count; i++)
        {
            if (TryMap(absolute, urls[i].BaseUri, origin.Name, out gatewayPath))
            {
                return true;
            }
        }
        gatewayPath = string.Empty;
        return false;
    }

    private static bool TryMap(Uri absolute, Uri b, string originName, out string gatewayPath)
    {
        gatewayPath = string.Empty;
        if (!string.Equals(absolute.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) ||
            !string.Equals(absolute.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) || absolute.Port != b.Port)
        {
            return false;
        }
        var basePath = b.AbsolutePath.TrimEnd('/');
        var path = absolute.AbsolutePath;
        if (path.Length <= basePath.Length + 1 || !path.StartsWith(basePath, StringComparison.Ordinal) || path[basePath.Length] != '/')
        {
            return false;
        }
        var rest = path[(basePath.Length + 1)..];
        if (!HlsPathParser.IsSafePath(rest))
        {
            return false;
        }
        gatewayPath = string.Concat(HlsPathParser.Prefix, originName, "/", rest);
        return true;
    }

    /// <summary>
    /// Writes the reference's own query (minus the gateway's reserved parameters) and, for a signed request,
    /// the signature: the shared one when the child is inside the acl, else one for its exact path (only when
    /// the request had no acl of its own; an explicit acl is never widened).
    /// </summary>
    private static int WriteQueryAndSignature(ReadOnlySpan<char> query, ReadOnlySpan<char> pathHead, ReadOnlySpan<char> pathTail, IBufferWriter<byte> output, PlaylistRewriteContext ctx)
    {
        var n = 0;
        var any = false;
        if (query.Length > 1)
        {
            foreach (var range in query[1..].Split('&'))
            {
                var pair = query[1..][range];
                if (pair.IsEmpty || IsReserved(pair))
                {
                    continue;
                }
                n += Write(output, any ? "&"u8 : "?"u8);
                n += WriteAscii(output, pair);
                any = true;
            }
        }
        if (ctx.SharedSuffix is null)
        {
            return n;
        }
        n += Write(output, any ? "&"u8 : "?"u8);
        var acl = ctx.ChildAcl.AsSpan();
        var inScope = pathHead.Length >= acl.Length
            ? pathHead.StartsWith(acl, StringComparison.Ordinal)
            : acl.StartsWith(pathHead, StringComparison.Ordinal) && pathTail.StartsWith(acl[pathHead.Length..], StringComparison.Ordinal);
        if (inScope || ctx.Signed!.Acl is not null)
        {
            return n + Write(output, ctx.SharedSuffix);
        }
        var exactPath = string.Concat(pathHead, pathTail);
        var query2 = UrlSignature.BuildQuery(ctx.Key!, ctx.Signed.Kid, ctx.Signed.Exp, exactPath, null, ctx.Signed.Ip);
        return n + WriteAscii(output, query2);
    }

    private static bool IsReserved(ReadOnlySpan<char> pair)
    {
        var eq = pair.IndexOf('=');
        var name = eq < 0 ? pair : pair[..eq];
        return name is UrlSignature.Exp or UrlSignature.Kid or UrlSignature.Acl or UrlSignature.Ip or UrlSignature.Sig;
    }

    private static int Refuse(ReadOnlySpan<byte> uri, IBufferWriter<byte> output, PlaylistRewriteContext ctx)
    {
        ctx.RefusedCount++;
        ctx.FirstRefused ??= Encoding.UTF8.GetString(uri[..Math.Min(uri.Length, 200)]);
        return Write(output, "/hls/~refused/uri"u8);
    }

    private static int Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        return bytes.Length;
    }

    private static int WriteAscii(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        var n = Encoding.UTF8.GetBytes(text, span);
        output.Advance(n);
        return n;
    }
}
