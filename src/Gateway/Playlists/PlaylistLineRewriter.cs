using System.Buffers;
using System.Text;
using HlsGateway.Access;
using HlsGateway.Proxy;

namespace HlsGateway.Playlists;

/// <summary>
/// Rewrites an m3u8 body line by line (bytes in, bytes out; no regex, no string per line on the common
/// path). Every URI goes through the gateway: simple relative references stay as they are (they resolve
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

    /// <summary>
    /// Rewrites whole lines from <paramref name="offset"/> until at least <paramref name="budget"/> bytes were
    /// written or the body ends; returns the offset to continue from (so the caller can flush between calls).
    /// </summary>
    public static int Rewrite(ReadOnlySpan<byte> body, int offset, IBufferWriter<byte> output, PlaylistRewriteContext ctx, int budget)
    {
        if (offset == 0 && body.StartsWith("\uFEFF"u8))
        {
            offset = 3;
        }
        var written = 0;
        while (offset < body.Length && written < budget)
        {
            var rest = body[offset..];
            var end = NextLineBreak(rest, out var breakLength);
            var line = rest[..end];
            offset += end + breakLength;
            written += RewriteLine(line, output, ctx);
        }
        return offset;
    }

    /// <summary>
    /// Where the line ends: LF, CRLF, a lone CR, or U+2028/U+2029. Players parse with JavaScript regexes (hls.js),
    /// which end a tag or title at any of these; splitting only on LF would let "#EXTINF:4,\rhttp://elsewhere/x.ts"
    /// through unrewritten, a URI line to the player but a comment to us.
    /// </summary>
    private static int NextLineBreak(ReadOnlySpan<byte> rest, out int breakLength)
    {
        var from = 0;
        while (true)
        {
            var i = rest[from..].IndexOfAny((byte)'\n', (byte)'\r', (byte)0xE2);
            if (i < 0)
            {
                breakLength = 0;
                return rest.Length;
            }
            i += from;
            switch (rest[i])
            {
                case (byte)'\n':
                    breakLength = 1;
                    return i;
                case (byte)'\r':
                    breakLength = i + 1 < rest.Length && rest[i + 1] == (byte)'\n' ? 2 : 1;
                    return i;
                default:
                    if (i + 2 < rest.Length && rest[i + 1] == 0x80 && rest[i + 2] is 0xA8 or 0xA9)
                    {
                        breakLength = 3;
                        return i;
                    }
                    from = i + 1; // another character starting with E2 (e.g. an em dash)
                    break;
            }
        }
    }

    /// <summary>Rewrites a whole body into one array (used for unsigned requests, whose output is the same for every client).</summary>
    public static byte[] RewriteAll(ReadOnlySpan<byte> body, PlaylistRewriteContext ctx)
    {
        var output = new ArrayBufferWriter<byte>(body.Length + body.Length / 4 + 64);
        Rewrite(body, 0, output, ctx, int.MaxValue);
        return output.WrittenSpan.ToArray();
    }

    private static int RewriteLine(ReadOnlySpan<byte> line, IBufferWriter<byte> output, PlaylistRewriteContext ctx)
    {
        var trimmed = line.Trim(" \t"u8);
        if (trimmed.IsEmpty)
        {
            return Write(output, "\n"u8);
        }
        if (trimmed[0] != (byte)'#')
        {
            var n = WriteUri(trimmed, output, ctx, isKey: false);
            return n + Write(output, "\n"u8);
        }
        if (!trimmed.StartsWith("#EXT-X-"u8))
        {
            return Write(output, line) + Write(output, "\n"u8); // #EXTM3U, #EXTINF, comments
        }
        if (trimmed.StartsWith("#EXT-X-CONTENT-STEERING"u8))
        {
            return 0;
        }
        var colon = trimmed.IndexOf((byte)':');
        if (colon < 0)
        {
            return Write(output, line) + Write(output, "\n"u8);
        }
        var isKey = trimmed.StartsWith("#EXT-X-KEY:"u8) || trimmed.StartsWith("#EXT-X-SESSION-KEY:"u8);
        return RewriteAttributes(trimmed, colon + 1, output, ctx, isKey) + Write(output, "\n"u8);
    }

    /// <summary>Walks an attribute list (RFC 8216 4.2), rewriting the quoted values of URI-bearing attributes.</summary>
    private static int RewriteAttributes(ReadOnlySpan<byte> line, int start, IBufferWriter<byte> output, PlaylistRewriteContext ctx, bool isKey)
    {
        var written = 0;
        var copyFrom = 0;
        var i = start;
        while (i < line.Length)
        {
            var eq = line[i..].IndexOf((byte)'=');
            if (eq < 0)
            {
                break;
            }
            var name = line.Slice(i, eq).Trim(" "u8);
            var v = i + eq + 1;
            if (v < line.Length && line[v] == (byte)'"')
            {
                var close = line[(v + 1)..].IndexOf((byte)'"');
                if (close < 0)
                {
                    break; // unterminated quote: leave the rest as it is
                }
                var valueStart = v + 1;
                var valueEnd = valueStart + close;
                if (name.SequenceEqual("URI"u8) || name.SequenceEqual("X-ASSET-URI"u8) || name.SequenceEqual("X-ASSET-LIST"u8))
                {
                    written += Write(output, line[copyFrom..valueStart]);
                    written += WriteUri(line[valueStart..valueEnd], output, ctx, isKey);
                    copyFrom = valueEnd;
                }
                i = valueEnd + 1;
            }
            else
            {
                var comma = line[v..].IndexOf((byte)',');
                i = comma < 0 ? line.Length : v + comma;
            }
            if (i < line.Length && line[i] == (byte)',')
            {
                i++;
            }
        }
        return written + Write(output, line[copyFrom..]);
    }

    /// <summary>Writes the gateway URI for one reference.</summary>
    private static int WriteUri(ReadOnlySpan<byte> uri, IBufferWriter<byte> output, PlaylistRewriteContext ctx, bool isKey)
    {
        if (uri.IsEmpty || uri.Length > MaxUriChars)
        {
            return Refuse(uri, output, ctx);
        }
        Span<char> chars = stackalloc char[uri.Length];
        var simple = true;
        for (var i = 0; i < uri.Length; i++)
        {
            var b = uri[i];
            if (b is <= 0x20 or >= 0x7F or (byte)'"' or (byte)'<' or (byte)'>' or (byte)'\\' or (byte)'^' or (byte)'`' or (byte)'{' or (byte)'|' or (byte)'}' or (byte)'#')
            {
                simple = false;
            }
            chars[i] = (char)b;
        }
        if (simple && TrySimpleRelative(chars, out var pathLength))
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
        var n = Write(output, Encoding.UTF8.GetBytes(gatewayPath));
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
        gatewayPath = string.Empty;
        var b = origin.BaseUri;
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
        gatewayPath = string.Concat(HlsPathParser.Prefix, origin.Name, "/", rest);
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
