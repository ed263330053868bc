using System.Diagnostics;
using HlsGateway.Caching;
using HlsGateway.Configuration;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Playlists;
using HlsGateway.Problems;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using HlsGateway.Recorder.Sources;
using Yarp.ReverseProxy.Forwarder;

namespace HlsGateway.Proxy;

/// <summary>
/// Terminal handler for <c>/hls/&lt;origin&gt;/&lt;path&gt;</c>: validate, answer from the cache,
/// collapse misses into one origin fetch, serve stale when the origin fails, and stream what is too
/// large to cache straight through YARP's <see cref="IHttpForwarder"/>.
/// </summary>
internal sealed partial class HlsProxyMiddleware(
    RequestDelegate next,
    OriginRegistry origins,
    HlsCache cache,
    IHttpForwarder forwarder,
    IPlaylistRewriter rewriter,
    ISegmentTee tee,
    GatewayConfigMonitor config,
    TimeProvider time,
    IGatewayMetrics metrics,
    Access.AccessConfigMonitor access,
    InternalClientCredential internalClient,
    Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions> kestrel,
    Hosting.HostingOptions hosting,
    ILogger<HlsProxyMiddleware> logger)
{
    // A write bigger than what Kestrel buffers per response (Kestrel:Limits:MaxResponseBufferSize) goes into its pipes
    // whole and only then waits: a stalled player held its entire cached segment in pinned I/O blocks (~570 KB per
    // in-flight response at 2,000 TLS players, 714 MB of the pinned heap). Writing in chunks of that size, each
    // awaited, bounds it to about two chunks per response. 0 (unlimited) writes whole bodies as before.
    private readonly int _writeChunk = (int)Math.Clamp(kestrel.Value.Limits.MaxResponseBufferSize ?? int.MaxValue, 4096, int.MaxValue);

    /// <summary>
    /// Cleartext HTTP/1.x writes straight into the socket transport's output pipe, whose send loop runs beside us: with
    /// chunks of half the limit it sends one while we copy the next (a full-limit chunk pauses the pipe until it is
    /// sent, so copy and send took turns: 670 KB segment 4,861-4,898 req/s against 7,166-7,269 with half chunks, nginx
    /// 5,087-5,512, run-ioblock 2026-12-07T163743Z). Over TLS the flush itself encrypts and sends, and over HTTP/2 the
    /// frame writer consumes the stream pipe: there half chunks only cost more turns (TLS h2 64 x 1: 1,634-1,698 vs
    /// 1,929-2,052), so TLS HTTP/1.1 and HTTP/3 keep the whole limit. HTTP/2 writes <paramref name="http2Chunk"/>
    /// (Gateway:Hosting:Http2WriteChunk): each of its writes costs two thread-pool hops inside Kestrel.
    /// </summary>
    internal static int WriteChunk(int limit, int http2Chunk, bool https, string protocol) =>
        HttpProtocol.IsHttp2(protocol) ? http2Chunk
        : !https && !HttpProtocol.IsHttp3(protocol) ? Math.Max(limit / 2, 4096)
        : limit;

    private readonly int _http2Chunk = hosting.Http2WriteChunk;

    private int WriteChunkFor(HttpRequest request) => WriteChunk(_writeChunk, _http2Chunk, request.IsHttps, request.Protocol);

    public Task InvokeAsync(HttpContext context)
    {
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        if (!rawTarget.StartsWith(HlsPathParser.Prefix, StringComparison.Ordinal))
        {
            return next(context);
        }
        return HandleAsync(context, rawTarget);
    }

    private async Task HandleAsync(HttpContext context, string rawTarget)
    {
        var started = Stopwatch.GetTimestamp();
        // signing required: a parameter no signature covers is refused rather than dropped (the recorder's own requests excepted)
        var refuseUnlisted = access.Current.SigningRequired && !Access.InternalClient.IsTrusted(context, internalClient);
        var parse = HlsPathParser.Parse(rawTarget, origins, out var request, out var originName, refuseUnlisted);
        if (parse != PathParseResult.Ok)
        {
            await RejectAsync(context, parse, originName, rawTarget).ConfigureAwait(false);
            return;
        }
        var method = context.Request.Method;
        var isHead = HttpMethods.IsHead(method);
        if (!isHead && !HttpMethods.IsGet(method))
        {
            Log.MethodNotAllowed(logger, method, request.Origin.Name, request.Path);
            await ProblemWriter.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method not allowed", "Only GET and HEAD are served for HLS resources.", header: ("Allow", "GET, HEAD")).ConfigureAwait(false);
            Complete(request, context, CacheResult.None, started);
            return;
        }

        var ct = context.RequestAborted;
        var result = CacheResult.None;
        try
        {
            var entry = cache.Peek(request.CacheKey);
            var now = time.GetUtcNow();
            if (entry is not null && entry.IsFresh(now))
            {
                result = CacheResult.Hit;
                await ServeAsync(context, request, entry, result, now, isHead, ct).ConfigureAwait(false);
                return;
            }
            if (entry is not null && cache.TryRevalidateInBackground(request with { Client = ForwardedClient.From(context) }, entry, now))
            {
                // stale-while-revalidate: the old copy now, one background fetch renews it for the next players
                result = CacheResult.Stale;
                await ServeAsync(context, request, entry, result, now, isHead, ct).ConfigureAwait(false);
                return;
            }
            if (cache.IsKnownTooLarge(request.CacheKey))
            {
                result = CacheResult.Bypass;
                await PassThroughAsync(context, request, null).ConfigureAwait(false);
                return;
            }

            request = request with
            {
                Client = ForwardedClient.From(context),
                CanTakeOpenResponse = !isHead && context.Request.Headers.Range.Count == 0,
            };
            var outcome = await cache.ResolveAsync(request, out var collapsed).WaitAsync(ct).ConfigureAwait(false);
            if (collapsed && outcome.NoStoreReason is not null)
            {
                // another client's private / no-store response is never handed to this one: fetch our own
                outcome = await cache.FetchUncachedAsync(request, ct).ConfigureAwait(false);
                collapsed = false;
            }
            now = time.GetUtcNow();
            if (!collapsed && outcome is { Status: FetchStatus.Ok, Entry: { StatusCode: 200 } fetched } && fetched.Kind is RouteKind.Segment or RouteKind.Other)
            {
                TeeToRecorder(context, request, fetched);
            }
            switch (outcome.Status)
            {
                case FetchStatus.Ok:
                    result = outcome.NoStoreReason is not null ? CacheResult.Bypass : outcome.FromSharedCache ? CacheResult.Hit : CacheResult.Miss;
                    await ServeAsync(context, request, outcome.Entry!, result, now, isHead, ct, outcome.ClientCacheControl).ConfigureAwait(false);
                    return;
                case FetchStatus.TooLarge:
                    result = CacheResult.Bypass;
                    // the request that started the fill streams the response that fill opened; the others ask again
                    await PassThroughAsync(context, request, collapsed ? null : outcome.Handoff?.TryTake()).ConfigureAwait(false);
                    return;
            }

            // The origin failed: the last good copy, if still inside the stale-if-error window.
            var stale = cache.Peek(request.CacheKey) ?? entry;
            if (stale is { StatusCode: 200 } && now < stale.FreshUntil + config.Current.Cache.StaleIfError)
            {
                result = CacheResult.Stale;
                Log.ServedStale(logger, request.Origin.Name, request.Path, outcome.Reason);
                await ServeAsync(context, request, stale, result, now, isHead, ct).ConfigureAwait(false);
                return;
            }
            var (status, title) = outcome.Status switch
            {
                FetchStatus.Timeout => (StatusCodes.Status504GatewayTimeout, "Origin timeout"),
                FetchStatus.Unreachable => (StatusCodes.Status502BadGateway, "Origin unreachable"),
                _ => (StatusCodes.Status502BadGateway, "Origin error"),
            };
            await ProblemWriter.WriteAsync(context, status, title, $"Origin '{request.Origin.Name}': {outcome.Reason}.", header: (CacheHeaders.XCache, "MISS")).ConfigureAwait(false);
            result = CacheResult.Miss;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client went away; nothing to answer
        }
        finally
        {
            Complete(request, context, result, started);
        }
    }

    private async Task ServeAsync(HttpContext context, HlsRequest request, CacheEntry entry, CacheResult result, DateTimeOffset now, bool isHead, CancellationToken ct, string? clientCacheControl = null)
    {
        var response = context.Response;
        var headers = response.Headers;
        headers[CacheHeaders.XCache] = CacheHeaders.For(result);
        if (entry.StatusCode != StatusCodes.Status200OK)
        {
            var title = entry.StatusCode == StatusCodes.Status404NotFound ? "Not found at origin" : "Origin refused the request";
            // ProblemWriter clears the headers and starts the response: X-Cache goes in through it.
            await ProblemWriter.WriteAsync(context, entry.StatusCode, title, $"Origin '{request.Origin.Name}' answered {entry.StatusCode} for '{request.Path}'.",
                header: (CacheHeaders.XCache, CacheHeaders.For(result).ToString())).ConfigureAwait(false);
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        if (entry.ContentType is not null)
        {
            headers.ContentType = entry.ContentTypeValue;
        }
        if (entry.ETag is not null)
        {
            headers.ETag = entry.ETagValue;
        }
        if (entry.LastModified is not null)
        {
            headers.LastModified = entry.LastModifiedValue;
        }
        headers.CacheControl = clientCacheControl is not null ? clientCacheControl // not storable: the origin's own (private, no-store)
            : result == CacheResult.Stale ? CacheHeaders.NoCache : CacheHeaders.CacheControl(entry.FreshUntil - now);

        var isPlaylist = entry.Kind is RouteKind.MasterPlaylist or RouteKind.MediaPlaylist;
        if (isPlaylist && rewriter.IsActive(context, request))
        {
            if (!isHead)
            {
                await rewriter.WriteAsync(context, request, entry, ct).ConfigureAwait(false);
            }
            return;
        }

        headers.AcceptRanges = CacheHeaders.AcceptRangesBytes;
        if (entry.ETag is not null && context.Request.Headers.IfNoneMatch.Count > 0 && IfNoneMatchHits(context.Request.Headers.IfNoneMatch, entry.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var body = entry.Body.AsMemory();
        var rangeHeader = context.Request.Headers.Range;
        if (rangeHeader.Count > 0)
        {
            switch (ByteRange.TryParse(rangeHeader.ToString(), body.Length, out var from, out var length))
            {
                case ByteRangeResult.Satisfiable:
                    response.StatusCode = StatusCodes.Status206PartialContent;
                    headers.ContentRange = $"bytes {from}-{from + length - 1}/{body.Length}";
                    body = body.Slice((int)from, (int)length);
                    break;
                case ByteRangeResult.Unsatisfiable:
                    await ProblemWriter.WriteAsync(context, StatusCodes.Status416RangeNotSatisfiable, "Range not satisfiable", $"The resource is {body.Length} bytes.",
                        header: (HeaderNames.ContentRange, $"bytes */{body.Length}")).ConfigureAwait(false);
                    return;
                default:
                    break; // unsupported (multi-range) or malformed: serve the whole resource, as RFC 9110 allows
            }
        }

        response.ContentLength = body.Length;
        if (!isHead)
        {
            await WriteBodyAsync(response, body, WriteChunkFor(context.Request), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes a cached body. Small bodies (playlists) go out in one write with the headers. Larger ones are copied
    /// into the response's PipeWriter one chunk (<paramref name="chunk"/>: Kestrel:Limits:MaxResponseBufferSize, half
    /// of it on cleartext HTTP/1.x, Gateway:Hosting:Http2WriteChunk on HTTP/2, see <see cref="WriteChunk"/>) at a
    /// time, each flush awaited: one copy, into pool blocks, no allocation, and a client that stops reading holds
    /// about a chunk or two here instead of the whole segment.
    /// (With Kestrel's own 4 KB blocks, <c>Gateway:Hosting:IoBlockSize</c> 0, each 64 KiB piece is one ArrayPool
    /// buffer below the large-object threshold instead of 16 block rents.)
    /// </summary>
    private static async ValueTask WriteBodyAsync(HttpResponse response, ReadOnlyMemory<byte> body, int chunk, CancellationToken ct)
    {
        if (body.Length <= 16 * 1024)
        {
            await response.Body.WriteAsync(body, ct).ConfigureAwait(false);
            return;
        }
        // headers first: body memory asked for before they are written is a leased buffer Kestrel copies again
        await response.StartAsync(ct).ConfigureAwait(false);
        var writer = response.BodyWriter;
        while (!body.IsEmpty)
        {
            // the chunk goes into the pipe in pieces of at most 64 KiB: a bigger size hint than the pool's blocks makes
            // the pipe rent a one-off array from ArrayPool, and a 256 KB one (an HTTP/2 chunk) is large-object garbage
            // at 2,000 players. With the default 64 KiB I/O blocks each piece is a pool block.
            var want = Math.Min(body.Length, chunk);
            while (want > 0)
            {
                var memory = writer.GetMemory(Math.Min(want, 64 * 1024));
                var n = Math.Min(want, memory.Length);
                body.Span[..n].CopyTo(memory.Span);
                writer.Advance(n);
                body = body[n..];
                want -= n;
            }
            var flush = await writer.FlushAsync(ct).ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The one request that started a fill hands the fetched segment to an active recording, so the
    /// recorder needs no second fetch. Never waits: the tee is a bounded channel.
    /// </summary>
    private void TeeToRecorder(HttpContext context, in HlsRequest request, CacheEntry entry)
    {
        if (context.Request.Headers.ContainsKey(InternalClientCredential.HeaderName))
        {
            return; // the recorder's own fetch: it gets this body in the response, a teed copy would only wait in its buffer
        }
        var path = string.Concat(HlsPathParser.Prefix, request.Origin.Name, "/", request.Path);
        if (tee.Wants(path))
        {
            tee.Offer(path, entry.Body);
        }
    }

    private static bool IfNoneMatchHits(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var value in ifNoneMatch)
        {
            if (value is null)
            {
                continue;
            }
            if (value.Trim() == "*" || value.Contains(etag, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <param name="open">An origin response already open for this request (<see cref="OpenResponse"/>): streamed instead of asking again.</param>
    /// <remarks>
    /// With backups, a connect error, timeout or 5xx before anything reached the client is sent once more to the next
    /// healthy URL (only GET and HEAD get here: there is no request body to replay).
    /// </remarks>
    private async Task PassThroughAsync(HttpContext context, HlsRequest request, HttpResponseMessage? open)
    {
        var origin = request.Origin;
        var failover = origin.Failover;
        if (open is not null)
        {
            using var handoff = new HttpMessageInvoker(new OpenResponseHandler(open), disposeHandler: true);
            var handed = await forwarder.SendAsync(context, failover.Active.BaseUrl, handoff, RequestConfig(failover.Active),
                new PassThroughTransformer(request.UpstreamUrl, origin.Forwarding)).ConfigureAwait(false);
            if (handed != ForwarderError.None)
            {
                await PassThroughFailedAsync(context, request, handed, 0).ConfigureAwait(false);
            }
            return;
        }

        var attempt = failover.Choose();
        for (var tries = 0; ; tries++)
        {
            var transformer = new PassThroughTransformer(request.UpstreamUrlAt(attempt.Url), origin.Forwarding, holdBackServerErrors: tries == 0 && failover.HasBackups);
            ForwarderError error;
            try
            {
                error = await forwarder.SendAsync(context, attempt.Url.BaseUrl, origin.Invoker, RequestConfig(attempt.Url), transformer).ConfigureAwait(false);
            }
            catch
            {
                failover.Abandoned(attempt);
                throw;
            }
            var status = transformer.HeldBackStatus != 0 ? transformer.HeldBackStatus : error == ForwarderError.None ? context.Response.StatusCode : 0;
            var failure = status >= 500 ? "status"
                : error is ForwarderError.RequestTimedOut ? "timeout"
                : error is ForwarderError.Request or ForwarderError.ResponseHeaders ? "connect"
                : error is ForwarderError.ResponseBodyDestination ? "truncated"
                : null;
            if (failure is not null)
            {
                var reason = transformer.HeldBackStatus != 0 ? $"origin answered {status}" : context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? error.ToString();
                failover.Failed(attempt, $"{failure}: {reason}");
            }
            else if (error is ForwarderError.None)
            {
                failover.Succeeded(attempt);
            }
            else
            {
                failover.Abandoned(attempt); // the client went away or sent something odd: nothing learnt about the URL
            }

            // once only, and only when nothing reached the client (a 5xx that was held back, or no response at all)
            var retryable = tries == 0 && !context.Response.HasStarted && (transformer.HeldBackStatus != 0 || error != ForwarderError.None);
            if (failure is null || !retryable || !failover.TryNext(attempt, out var next))
            {
                if (transformer.HeldBackStatus != 0)
                {
                    // the 5xx was held back for a retry that has nowhere to go: answer as a cache fill would
                    metrics.OriginFetch(origin.Name, request.Kind, status, 0, 0, "status");
                    await ProblemWriter.WriteAsync(context, StatusCodes.Status502BadGateway, "Origin error",
                        $"Origin '{origin.Name}': origin answered {status}.", header: (CacheHeaders.XCache, CacheHeaders.Bypass.ToString())).ConfigureAwait(false);
                }
                else if (error != ForwarderError.None)
                {
                    await PassThroughFailedAsync(context, request, error, tries).ConfigureAwait(false);
                }
                return;
            }
            Log.RetryingOnBackup(logger, origin.Name, request.Path, attempt.Url.DisplayUrl, next.Url.DisplayUrl, failure);
            if (error != ForwarderError.None)
            {
                metrics.OriginFetch(origin.Name, request.Kind, 0, 0, 0, failure == "timeout" ? "timeout" : "connect");
            }
            else
            {
                metrics.OriginFetch(origin.Name, request.Kind, status, 0, 0, "status");
            }
            // YARP set a 502/504 and its error feature for the failed attempt; nothing was sent, so start clean
            context.Response.Clear();
            context.Features.Set<IForwarderErrorFeature>(null);
            attempt = next;
        }
    }

    private ForwarderRequestConfig RequestConfig(OriginUrl url) => new()
    {
        ActivityTimeout = config.Current.Proxy.RequestTimeout,
        Version = url.Version,
        VersionPolicy = url.VersionPolicy,
    };

    private async Task PassThroughFailedAsync(HttpContext context, HlsRequest request, ForwarderError error, int retries)
    {
        var origin = request.Origin;
        var reason = context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? error.ToString();
        Log.PassThroughFailed(logger, origin.Name, request.Path, error, reason);
        metrics.OriginFetch(origin.Name, request.Kind, 0, 0, 0, error == ForwarderError.RequestTimedOut ? "timeout" : "connect");
        if (!context.Response.HasStarted && error is not ForwarderError.RequestCanceled)
        {
            var timeout = error is ForwarderError.RequestTimedOut;
            await ProblemWriter.WriteAsync(context,
                timeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
                timeout ? "Origin timeout" : "Origin unreachable",
                retries > 0 ? $"Origin '{origin.Name}': {error} (after trying a backup URL)." : $"Origin '{origin.Name}': {error}.",
                header: (CacheHeaders.XCache, CacheHeaders.Bypass.ToString())).ConfigureAwait(false);
        }
    }

    private async Task RejectAsync(HttpContext context, PathParseResult parse, string originName, string rawTarget)
    {
        if (parse == PathParseResult.UnlistedParameter)
        {
            origins.TryGet(originName, out var origin);
            var name = HlsPathParser.FirstUnlisted(rawTarget, origin.ForwardQuery);
            Log.UnlistedParameter(logger, name, originName, context.Connection.RemoteIpAddress?.ToString() ?? "-");
            metrics.RequestDenied("signature");
            await ProblemWriter.WriteAsync(context, StatusCodes.Status403Forbidden, "Unsigned parameter",
                $"Query parameter '{name}' is not covered by the signature and not forwarded to origin '{originName}' " +
                $"(forwarded: {origin.ForwardQuery}; add it to Gateway:OriginSettings:{originName}:ForwardQuery).").ConfigureAwait(false);
        }
        else if (parse == PathParseResult.UnknownOrigin)
        {
            Log.UnknownOrigin(logger, originName);
            metrics.RequestDenied("unknown_origin");
            await ProblemWriter.WriteAsync(context, StatusCodes.Status404NotFound, "Unknown origin", $"No origin named '{originName}' is configured.").ConfigureAwait(false);
        }
        else
        {
            Log.BadPath(logger, context.Request.Path.Value ?? string.Empty);
            metrics.RequestDenied("bad_request");
            await ProblemWriter.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad path",
                "Expected /hls/<origin>/<path> without dot segments, encoded separators or control characters.").ConfigureAwait(false);
        }
    }

    private void Complete(in HlsRequest request, HttpContext context, CacheResult result, long started)
    {
        var kind = request.Kind;
        metrics.RequestCompleted(kind, request.Origin.Name, context.Response.StatusCode, result,
            Stopwatch.GetElapsedTime(started).TotalSeconds, context.Response.ContentLength ?? 0);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, EventName = "UnknownOrigin", Level = LogLevel.Information, Message = "Refused request for unknown origin '{Origin}'.")]
        public static partial void UnknownOrigin(ILogger logger, string origin);

        [LoggerMessage(EventId = 2102, EventName = "BadPath", Level = LogLevel.Warning, Message = "Refused unsafe or malformed HLS path '{Path}'.")]
        public static partial void BadPath(ILogger logger, string path);

        [LoggerMessage(EventId = 2103, EventName = "MethodNotAllowed", Level = LogLevel.Information, Message = "Refused {Method} for {Origin}/{Path}.")]
        public static partial void MethodNotAllowed(ILogger logger, string method, string origin, string path);

        [LoggerMessage(EventId = 2104, EventName = "ServedStale", Level = LogLevel.Warning, Message = "Served stale {Origin}/{Path} because the origin failed: {Reason}")]
        public static partial void ServedStale(ILogger logger, string origin, string path, string reason);

        [LoggerMessage(EventId = 2106, EventName = "UnlistedParameter", Level = LogLevel.Information, Message = "Refused query parameter '{Name}' for origin '{Origin}' from {Client}: not signed, not on the forward list.")]
        public static partial void UnlistedParameter(ILogger logger, string name, string origin, string client);

        [LoggerMessage(EventId = 2105, EventName = "PassThroughFailed", Level = LogLevel.Warning, Message = "Streaming {Origin}/{Path} failed: {Error} ({Reason})")]
        public static partial void PassThroughFailed(ILogger logger, string origin, string path, ForwarderError error, string reason);

        [LoggerMessage(EventId = 8211, EventName = "PassThroughRetried", Level = LogLevel.Information, Message = "Origin {Origin}: streaming {Path} failed at {From} ({Failure}); sending it to {To}.")]
        public static partial void RetryingOnBackup(ILogger logger, string origin, string path, string from, string to, string failure);
    }
}
