using System.Buffers;
using HlsGateway.Monitor.Metrics;

namespace HlsGateway.Proxy;

/// <summary>Outcome of parsing a request target.</summary>
internal enum PathParseResult
{
    Ok,
    NotHls,
    BadPath,
    UnknownOrigin,

    /// <summary>Signing is required and the query has a parameter neither the signature nor the forward list covers.</summary>
    UnlistedParameter,
}

/// <summary>
/// Parses <c>/hls/&lt;origin&gt;/&lt;path&gt;</c> from the raw request target (before Kestrel's
/// dot-segment normalisation), so traversal tricks (<c>..</c>, <c>%2e%2e</c>, encoded slashes or
/// backslashes, NUL) are refused with 400 and never reach an origin. The path is then normalised
/// (<see cref="UriNormalization"/>: <c>%61</c> is <c>a</c>) and the query cut to the origin's
/// <see cref="QueryForwardList"/>, so one object has one cache key.
/// </summary>
internal static class HlsPathParser
{
    public const string Prefix = "/hls/";

    /// <summary>Query parameters that belong to the gateway (signed URLs) and are not forwarded.</summary>
    private static readonly string[] GatewayParams = ["exp", "kid", "acl", "ip", "sig"];

    /// <param name="refuseUnlisted">Signing is required: a parameter off the forward list makes the result
    /// <see cref="PathParseResult.UnlistedParameter"/> (its name: <see cref="FirstUnlisted"/>) instead of being dropped.</param>
    public static PathParseResult Parse(string rawTarget, OriginRegistry origins, out HlsRequest request, out string originName, bool refuseUnlisted = false)
    {
        request = default;
        originName = string.Empty;
        var q = rawTarget.IndexOf('?');
        var rawPath = q < 0 ? rawTarget.AsSpan() : rawTarget.AsSpan(0, q);
        if (!rawPath.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return PathParseResult.NotHls;
        }
        var rest = rawPath[Prefix.Length..];
        var slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1)
        {
            return PathParseResult.BadPath;
        }
        var name = rest[..slash];
        var path = rest[(slash + 1)..];
        if (!IsSafePath(path) || path.Length > 4096)
        {
            return PathParseResult.BadPath;
        }
        if (!origins.TryGet(name, out var origin))
        {
            originName = name.ToString();
            return PathParseResult.UnknownOrigin;
        }
        originName = origin.Name;

        var query = string.Empty;
        if (q >= 0)
        {
            query = FilterQuery(rawTarget.AsSpan(q + 1), origin.ForwardQuery, out var unlisted);
            if (unlisted && refuseUnlisted)
            {
                return PathParseResult.UnlistedParameter;
            }
        }
        var pathString = UriNormalization.Normalize(path);
        var kind = KindOf(path);
        request = new HlsRequest(origin, pathString, query, kind, string.Concat(origin.Name, "/", pathString, query));
        return PathParseResult.Ok;
    }

    public static RouteKind KindOf(ReadOnlySpan<char> path)
    {
        var dot = path.LastIndexOf('.');
        if (dot < 0 || dot < path.LastIndexOf('/'))
        {
            return RouteKind.Other;
        }
        var ext = path[(dot + 1)..];
        if (ext.Equals("m3u8", StringComparison.OrdinalIgnoreCase) || ext.Equals("m3u", StringComparison.OrdinalIgnoreCase))
        {
            return RouteKind.MediaPlaylist; // refined to MasterPlaylist once the body is seen
        }
        foreach (var seg in SegmentExtensions)
        {
            if (ext.Equals(seg, StringComparison.OrdinalIgnoreCase))
            {
                return RouteKind.Segment;
            }
        }
        return RouteKind.Other;
    }

    private static readonly string[] SegmentExtensions = ["ts", "m4s", "mp4", "m4a", "m4v", "aac", "ac3", "ec3", "mp3", "vtt", "webvtt", "key", "cmfv", "cmfa", "fmp4", "mpd"];

    private static readonly SearchValues<char> UnsafePathChars =
        SearchValues.Create("\\# \0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
            "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F" +
            string.Concat(Enumerable.Range(0x7F, 0x9F - 0x7F + 1).Select(c => (char)c)));

    /// <summary>True when no segment is (or decodes to) '.' or '..', and there are no encoded separators, '#' or control bytes.</summary>
    internal static bool IsSafePath(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty)
        {
            return false;
        }
        // '#' is no path character: upstream it would start a fragment, and "a/#.ts" would fetch "a/".
        // System.Uri trims spaces at the end of the upstream URL, turning ".. " into a dot segment.
        // Controls are char.IsControl's: C0 and DEL..C1, all in UnsafePathChars. One vectorised scan
        // (ContainsAnyInRange allocated 96 bytes per call on runtime 10.0.12: a SearchValues is built once).
        if (path.ContainsAny(UnsafePathChars))
        {
            return false;
        }
        // encoded separators, NUL and double encoding; most paths have no '%' at all (one vectorised scan)
        if (path.Contains('%') && (path.Contains("%2f", StringComparison.OrdinalIgnoreCase) || path.Contains("%5c", StringComparison.OrdinalIgnoreCase) ||
            path.Contains("%00", StringComparison.Ordinal) || path.Contains("%25", StringComparison.Ordinal)))
        {
            return false;
        }
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment.IsEmpty)
            {
                return false; // "//" or trailing slash: not a resource
            }
            if (IsDotSegment(segment))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsDotSegment(ReadOnlySpan<char> segment)
    {
        // '.', '..', and their percent-encoded forms (%2e, %2E), in any mix.
        var dots = 0;
        var i = 0;
        while (i < segment.Length)
        {
            if (segment[i] == '.')
            {
                dots++;
                i++;
            }
            else if (i + 2 < segment.Length && segment[i] == '%' && segment[i + 1] == '2' && (segment[i + 2] is 'e' or 'E'))
            {
                dots++;
                i += 3;
            }
            else
            {
                return false;
            }
        }
        return dots is 1 or 2;
    }

    /// <summary>The query the origin gets (and the cache key carries): "" or "?" + the forwarded pairs in their order.</summary>
    private static string FilterQuery(ReadOnlySpan<char> query, QueryForwardList forward, out bool unlisted)
    {
        unlisted = false;
        if (query.IsEmpty)
        {
            return string.Empty;
        }
        var keepAll = true;
        var keepNone = true;
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.IsEmpty)
            {
                keepAll = false;
                continue;
            }
            if (IsGatewayParam(pair))
            {
                keepAll = false;
            }
            else if (forward.Allows(NameOf(pair)))
            {
                keepNone = false;
            }
            else
            {
                keepAll = false;
                unlisted = true;
            }
        }
        if (keepNone)
        {
            return string.Empty; // the common signed segment: only exp/kid/sig
        }
        if (keepAll)
        {
            return string.Concat("?", query);
        }
        var sb = new System.Text.StringBuilder(query.Length + 1);
        foreach (var range in query.Split('&'))
        {
            var part = query[range];
            if (part.IsEmpty || IsGatewayParam(part) || !forward.Allows(NameOf(part)))
            {
                continue;
            }
            sb.Append(sb.Length == 0 ? '?' : '&').Append(part);
        }
        return sb.ToString();
    }

    /// <summary>The first query parameter of <paramref name="rawTarget"/> off the origin's forward list (for the 403's reason).</summary>
    public static string FirstUnlisted(string rawTarget, QueryForwardList forward)
    {
        var q = rawTarget.IndexOf('?');
        if (q >= 0)
        {
            var query = rawTarget.AsSpan(q + 1);
            foreach (var range in query.Split('&'))
            {
                var pair = query[range];
                if (!pair.IsEmpty && !IsGatewayParam(pair) && !forward.Allows(NameOf(pair)))
                {
                    return NameOf(pair).ToString();
                }
            }
        }
        return string.Empty;
    }

    private static ReadOnlySpan<char> NameOf(ReadOnlySpan<char> pair)
    {
        var eq = pair.IndexOf('=');
        return eq < 0 ? pair : pair[..eq];
    }

    private static bool IsGatewayParam(ReadOnlySpan<char> pair)
    {
        var eq = pair.IndexOf('=');
        var name = eq < 0 ? pair : pair[..eq];
        foreach (var p in GatewayParams)
        {
            if (name.Equals(p, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
