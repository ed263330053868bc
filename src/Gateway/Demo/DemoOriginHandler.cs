using System.Collections.Frozen;
using System.Globalization;
using HlsGateway.Problems;

namespace HlsGateway.Demo;

/// <summary>
/// The demo origin's only request handler. It answers a fixed set of computed names and nothing
/// else (no file system access, so no traversal):
/// <c>master.m3u8</c>, <c>live.m3u8</c>, <c>live/&lt;r&gt;.m3u8</c>, <c>live/&lt;r&gt;/seg-&lt;n&gt;.ts</c>,
/// <c>vod.m3u8</c>, <c>vod/master.m3u8</c>, <c>vod/&lt;r&gt;.m3u8</c>, <c>vod/&lt;r&gt;/seg-&lt;i&gt;.ts</c>.
/// </summary>
internal sealed class DemoOriginHandler
{
    public const string PlaylistContentType = "application/vnd.apple.mpegurl";
    public const string SegmentContentType = "video/mp2t";

    // Segment n always holds the same bytes, so caches may keep it; live playlists change every
    // segment, so they live for half a target duration, as a live packager's would.
    private const string SegmentCacheControl = "public, max-age=86400, immutable";
    private const string VodPlaylistCacheControl = "public, max-age=3600";
    private const string MasterCacheControl = "public, max-age=5";

    private readonly DemoPlaylistGenerator _playlists;
    private readonly TimeProvider _time;
    private readonly FrozenDictionary<string, int> _renditions;
    private readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _byName;
    private readonly string _liveCacheControl;

    public DemoOriginHandler(DemoPlaylistGenerator playlists, TimeProvider time)
    {
        _playlists = playlists;
        _time = time;
        _renditions = playlists.Samples.Renditions
            .Select((r, i) => KeyValuePair.Create(r.Name, i))
            .ToFrozenDictionary(StringComparer.Ordinal);
        _byName = _renditions.GetAlternateLookup<ReadOnlySpan<char>>();
        _liveCacheControl = string.Create(CultureInfo.InvariantCulture, $"public, max-age={Math.Max(1, playlists.TargetDurationSeconds / 2)}");
    }

    public Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        var isHead = HttpMethods.IsHead(method);
        if (!isHead && !HttpMethods.IsGet(method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            return ProblemWriter.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method not allowed", "The demo origin serves GET and HEAD only.");
        }
        if (!TryResolve(context.Request.Path.Value, out var resource))
        {
            return ProblemWriter.WriteAsync(context, StatusCodes.Status404NotFound, "Not found", "No such demo resource (live segments exist only inside the live window).");
        }
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = resource.ContentType;
        response.ContentLength = resource.Body.Length;
        response.Headers.CacheControl = resource.CacheControl;
        return isHead ? Task.CompletedTask : response.Body.WriteAsync(resource.Body, context.RequestAborted).AsTask();
    }

    /// <summary>Maps a request path (with its leading '/') to a resource; false for anything not computed here.</summary>
    public bool TryResolve(ReadOnlySpan<char> path, out DemoResource resource)
    {
        resource = default;
        if (path.IsEmpty || path[0] != '/')
        {
            return false;
        }
        path = path[1..];
        switch (path)
        {
            case "master.m3u8":
                resource = new DemoResource(_playlists.MasterPlaylist(vod: false), PlaylistContentType, MasterCacheControl);
                return true;
            case "live.m3u8":
                resource = Live(0, nested: false);
                return true;
            case "vod.m3u8":
                resource = new DemoResource(_playlists.VodPlaylist(0, nested: false), PlaylistContentType, VodPlaylistCacheControl);
                return true;
            case "vod/master.m3u8":
                resource = new DemoResource(_playlists.MasterPlaylist(vod: true), PlaylistContentType, VodPlaylistCacheControl);
                return true;
        }

        bool live;
        if (path.StartsWith("live/", StringComparison.Ordinal))
        {
            live = true;
        }
        else if (path.StartsWith("vod/", StringComparison.Ordinal))
        {
            live = false;
        }
        else
        {
            return false;
        }
        path = path[(live ? 5 : 4)..];

        var slash = path.IndexOf('/');
        if (slash < 0)
        {
            // live/<r>.m3u8 or vod/<r>.m3u8
            if (!path.EndsWith(".m3u8", StringComparison.Ordinal) || !_byName.TryGetValue(path[..^5], out var r))
            {
                return false;
            }
            resource = live ? Live(r, nested: true) : new DemoResource(_playlists.VodPlaylist(r, nested: true), PlaylistContentType, VodPlaylistCacheControl);
            return true;
        }

        // live/<r>/seg-<n>.ts or vod/<r>/seg-<i>.ts
        if (!_byName.TryGetValue(path[..slash], out var rendition) || !TryParseSegment(path[(slash + 1)..], out var n))
        {
            return false;
        }
        var count = _playlists.SegmentCount;
        if (live ? !_playlists.IsLiveSegmentAvailable(n, _time.GetUtcNow()) : n >= count)
        {
            return false;
        }
        resource = new DemoResource(_playlists.Samples.Renditions[rendition].Segments[n % count], SegmentContentType, SegmentCacheControl);
        return true;
    }

    private DemoResource Live(int rendition, bool nested) =>
        new(_playlists.LivePlaylist(rendition, nested), PlaylistContentType, _liveCacheControl);

    /// <summary><c>seg-&lt;n&gt;.ts</c> with n in canonical decimal form (no sign, no leading zeros).</summary>
    private static bool TryParseSegment(ReadOnlySpan<char> name, out long n)
    {
        n = -1;
        if (!name.StartsWith("seg-", StringComparison.Ordinal) || !name.EndsWith(".ts", StringComparison.Ordinal))
        {
            return false;
        }
        var digits = name[4..^3];
        if (digits.IsEmpty || digits.Length > 18 || (digits[0] == '0' && digits.Length > 1))
        {
            return false;
        }
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out n);
    }
}
