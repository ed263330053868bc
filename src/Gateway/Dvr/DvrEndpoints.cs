using System.Diagnostics;
using System.Globalization;
using HlsGateway.Access;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Problems;
using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Dvr;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Storage;
using Microsoft.Extensions.Options;

namespace HlsGateway.Dvr;

/// <summary>
/// DVR / startover: <c>GET /dvr/&lt;recording&gt;/index.m3u8[?start=&amp;end=]</c> serves a recording as HLS from the raw
/// segments on disk (<see cref="DvrPlaylist"/>), <c>GET /dvr/&lt;recording&gt;/&lt;part&gt;.ts|.m4s</c> the part files with
/// byte ranges. A recording with rendition tracks (demuxed audio, subtitles) answers index.m3u8 with a master playlist
/// over <c>video.m3u8</c> and one media playlist per track (<c>audio-eng.m3u8</c>, <c>subtitles-eng.m3u8</c>), whose
/// segments are byte ranges of the track files <c>&lt;part&gt;.&lt;trackId&gt;&lt;ext&gt;</c>; the window and the signature go
/// to the children. Behind the same IP allowlist and signature check as <c>/hls/</c> (the middleware runs before routing);
/// a signed playlist's children carry a signature scoped to <c>/dvr/&lt;recording&gt;/</c> (or the request's acl).
/// Requests are counted in <c>hlsgw_requests_total</c> with origin label <c>dvr</c>.
/// </summary>
internal static partial class DvrEndpoints
{
    public const string Prefix = "/dvr/";

    public static IEndpointRouteBuilder MapDvr(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/dvr/{name}/{playlist}.m3u8", PlaylistAsync);
        endpoints.MapGet("/dvr/{name}/{file}", SegmentAsync);
        return endpoints;
    }

    private static async Task PlaylistAsync(HttpContext context, string name, string playlist, RecordingManager manager, IOptions<RecorderOptions> options,
        AccessConfigMonitor access, TimeProvider time, IGatewayMetrics metrics, ILoggerFactory loggers)
    {
        var started = Stopwatch.GetTimestamp();
        var logger = loggers.CreateLogger(typeof(DvrEndpoints));
        var ct = context.RequestAborted;
        if (!TryParseTime(context.Request.Query["start"], out var start) || !TryParseTime(context.Request.Query["end"], out var end))
        {
            Log.BadWindow(logger, name, context.Request.QueryString.Value ?? string.Empty);
            await Problem(context, metrics, RouteKind.MediaPlaylist, started, StatusCodes.Status400BadRequest, "Invalid DVR window",
                "start and end must be ISO-8601 date-times with an offset or Z, e.g. 2026-12-06T12:00:00Z.").ConfigureAwait(false);
            return;
        }
        if (start is { } a && end is { } b && b <= a)
        {
            Log.BadWindow(logger, name, context.Request.QueryString.Value ?? string.Empty);
            await Problem(context, metrics, RouteKind.MediaPlaylist, started, StatusCodes.Status400BadRequest, "Invalid DVR window", "end must be after start.").ConfigureAwait(false);
            return;
        }
        var root = Path.GetFullPath(options.Value.OutputDirectory);
        if (!Find(name, manager, root, out var parts, out var live))
        {
            Log.Unknown(logger, name);
            await Problem(context, metrics, RouteKind.MediaPlaylist, started, StatusCodes.Status404NotFound, "Unknown recording", $"No recording named '{name}' on this gateway.").ConfigureAwait(false);
            return;
        }
        string? track = null;
        var master = false;
        if (playlist == "index")
        {
            master = DvrPlaylist.HasTracks(parts); // without renditions the media playlist, as before they were served
        }
        else if (playlist != DvrPlaylist.VideoName && (track = DvrPlaylist.TrackOf(parts, playlist)) is null)
        {
            Log.MissingSegment(logger, name, playlist + ".m3u8");
            await Problem(context, metrics, RouteKind.MediaPlaylist, started, StatusCodes.Status404NotFound, "Unknown DVR playlist",
                $"Recording '{name}' has no playlist '{playlist}.m3u8' (index, video, or one per recorded rendition track).").ConfigureAwait(false);
            return;
        }
        var index = await DvrSegmentIndex.ReadAsync(DvrSegmentIndex.PathFor(root, name), ct).ConfigureAwait(false);
        string? query = null;
        if (context.Features.Get<SignedRequest>() is { } signed && access.Current.TryGetKey(signed.Kid, out var key))
        {
            query = UrlSignature.BuildQuery(key, signed.Kid, signed.Exp, string.Empty, signed.Acl ?? Prefix + name + "/", signed.Ip);
        }
        var text = master
            ? DvrPlaylist.BuildMaster(parts, index, Join(WindowQuery(context.Request.Query), query))
            : DvrPlaylist.Build(root, parts, index, live, start, end, time.GetUtcNow(), query, track);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        context.Response.ContentType = "application/vnd.apple.mpegurl";
        context.Response.Headers.CacheControl = (master ? !live : text.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal)) ? "max-age=60" : "no-cache";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
        metrics.RequestCompleted(master ? RouteKind.MasterPlaylist : RouteKind.MediaPlaylist, "dvr", 200, CacheResult.Bypass, Stopwatch.GetElapsedTime(started).TotalSeconds, bytes.Length);
    }

    private static async Task SegmentAsync(HttpContext context, string name, string file, RecordingManager manager, IOptions<RecorderOptions> options,
        IGatewayMetrics metrics, ILoggerFactory loggers)
    {
        var started = Stopwatch.GetTimestamp();
        var root = Path.GetFullPath(options.Value.OutputDirectory);
        var dot = file.IndexOf('.', StringComparison.Ordinal);
        string? path = null;
        if (dot > 0 && int.TryParse(file.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && Find(name, manager, root, out var parts, out _) && parts.FirstOrDefault(p => p.Number == number) is { } part)
        {
            // <part>.ts|.m4s is the part file; <part>.<trackId><ext> a rendition's track file next to it
            var stem = Path.ChangeExtension(part.RawPath, null);
            var rest = file[dot..];
            path = rest == Path.GetExtension(part.RawPath)
                ? part.RawPath
                : part.Tracks.Find(t => t.RawPath.Length > stem.Length && t.RawPath.StartsWith(stem, StringComparison.Ordinal) && t.RawPath[stem.Length..] == rest)?.RawPath;
        }
        if (path is null || !OutputPathGuard.TryResolve(root, path, out var raw) || !File.Exists(raw))
        {
            Log.MissingSegment(loggers.CreateLogger(typeof(DvrEndpoints)), name, file);
            await Problem(context, metrics, RouteKind.Segment, started, StatusCodes.Status404NotFound, "DVR segment not found",
                "The part or track is unknown or its raw segments are gone (past Recorder:Dvr:RetentionWindow).").ConfigureAwait(false);
            return;
        }
        context.Response.Headers.CacheControl = "max-age=3600";
        await Results.File(raw, ContentTypeOf(path), enableRangeProcessing: true)
            .ExecuteAsync(context).ConfigureAwait(false);
        metrics.RequestCompleted(RouteKind.Segment, "dvr", context.Response.StatusCode, CacheResult.Bypass, Stopwatch.GetElapsedTime(started).TotalSeconds, context.Response.ContentLength ?? 0);
    }

    /// <summary>The recording's parts, from the running recording, else from its sidecar on disk (then it has ended).</summary>
    private static bool Find(string name, RecordingManager manager, string root, out IReadOnlyList<PartInfo> parts, out bool live)
    {
        parts = [];
        live = false;
        if (!OutputPathGuard.IsSafeName(name))
        {
            return false;
        }
        if (manager.Get(name) is { } status)
        {
            parts = status.Parts;
            live = status.State is not (RecordingState.Stopped or RecordingState.Uploading);
            return true;
        }
        if (!File.Exists(RecordingJournal.PathFor(root, name)))
        {
            return false;
        }
        parts = RecordingJournal.LoadOrCreate(root, name, string.Empty).Parts;
        return true;
    }

    private static string ContentTypeOf(string path) => Path.GetExtension(path) switch
    {
        ".ts" => "video/mp2t",
        ".vtt" => "text/vtt",
        ".aac" => "audio/aac",
        ".ac3" => "audio/ac3",
        ".ec3" => "audio/eac3",
        ".mp3" => "audio/mpeg",
        _ => "video/mp4",
    };

    /// <summary>The request's <c>start</c>/<c>end</c> again, for a master playlist's children (they cut the same window).</summary>
    private static string? WindowQuery(IQueryCollection query)
    {
        var parts = new List<string>(2);
        foreach (var key in (ReadOnlySpan<string>)["start", "end"])
        {
            if (query[key] is [{ Length: > 0 } value])
            {
                parts.Add(key + "=" + UrlSignature.EscapeValue(value));
            }
        }
        return parts.Count == 0 ? null : string.Join('&', parts);
    }

    private static string? Join(string? a, string? b) => a is null ? b : b is null ? a : a + "&" + b;

    private static bool TryParseTime(Microsoft.Extensions.Primitives.StringValues values, out DateTimeOffset? value)
    {
        value = null;
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return true;
        }
        if (values.Count > 1 || !values[0]!.Contains('T', StringComparison.Ordinal)
            || !DateTimeOffset.TryParse(values[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }
        value = parsed;
        return true;
    }

    private static async Task Problem(HttpContext context, IGatewayMetrics metrics, RouteKind kind, long started, int status, string title, string detail)
    {
        await ProblemWriter.WriteAsync(context, status, title, detail).ConfigureAwait(false);
        metrics.RequestCompleted(kind, "dvr", status, CacheResult.Bypass, Stopwatch.GetElapsedTime(started).TotalSeconds, 0);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7510, EventName = "DvrUnknownRecording", Level = LogLevel.Information, Message = "DVR: no recording named {Recording}.")]
        public static partial void Unknown(ILogger logger, string recording);

        [LoggerMessage(EventId = 7511, EventName = "DvrBadWindow", Level = LogLevel.Information, Message = "DVR: refused window {Query} for {Recording}.")]
        public static partial void BadWindow(ILogger logger, string recording, string query);

        [LoggerMessage(EventId = 7512, EventName = "DvrSegmentMissing", Level = LogLevel.Information, Message = "DVR: {File} of {Recording} is not available.")]
        public static partial void MissingSegment(ILogger logger, string recording, string file);
    }
}
