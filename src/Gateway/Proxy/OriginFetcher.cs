using HlsGateway.Hls;
using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using HlsGateway.Caching;
using HlsGateway.Configuration;
using HlsGateway.Monitor.Metrics;

namespace HlsGateway.Proxy;

/// <summary>
/// Fetches one resource from its origin for the cache, through the origin's pooled handler.
/// Bodies are read into one exactly sized array (or a pooled buffer when the length is unknown) and
/// refused beyond <see cref="CacheOptions.MaxEntryBytes"/>; truncated bodies, 5xx, redirects and
/// malformed playlists are failures that are never cached.
/// </summary>
internal sealed partial class OriginFetcher(GatewayConfigMonitor config, TimeProvider time, IGatewayMetrics metrics, ILogger<OriginFetcher> logger)
{
    /// <param name="revalidate">An expired 200 with an ETag or Last-Modified: asked for conditionally, and renewed (body kept) on a 304.</param>
    /// <remarks>
    /// With backups (<see cref="OriginFailover"/>) a connect error, timeout, truncated body or 5xx is retried once on the
    /// next healthy URL: nothing has reached a client yet, and the cache key does not depend on the URL that answered.
    /// </remarks>
    public async Task<FetchOutcome> FetchAsync(HlsRequest request, CancellationToken cancellationToken, CacheEntry? revalidate = null)
    {
        var failover = request.Origin.Failover;
        var attempt = failover.Choose();
        var (outcome, failure) = await AttemptAsync(request, attempt, revalidate, cancellationToken).ConfigureAwait(false);
        if (failure is null || !failover.TryNext(attempt, out var next))
        {
            return outcome;
        }
        Log.RetryingOnBackup(logger, request.Origin.Name, request.Path, attempt.Url.DisplayUrl, next.Url.DisplayUrl, failure);
        (outcome, _) = await AttemptAsync(request, next, revalidate, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>One request to one of the origin's URLs, reported to its passive health; the failure label when it counts against the URL.</summary>
    private async Task<(FetchOutcome Outcome, string? Failure)> AttemptAsync(HlsRequest request, OriginAttempt attempt, CacheEntry? revalidate, CancellationToken cancellationToken)
    {
        var failover = request.Origin.Failover;
        var reported = false;
        try
        {
            var (outcome, failure) = await FetchOnceAsync(request, attempt.Url, revalidate, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                failover.Succeeded(attempt);
            }
            else
            {
                failover.Failed(attempt, $"{failure}: {outcome.Reason}");
            }
            reported = true;
            return (outcome, failure);
        }
        finally
        {
            if (!reported)
            {
                failover.Abandoned(attempt); // the fill was cancelled: says nothing about the URL
            }
        }
    }

    private async Task<(FetchOutcome Outcome, string? Failure)> FetchOnceAsync(HlsRequest request, OriginUrl url, CacheEntry? revalidate, CancellationToken cancellationToken)
    {
        var options = config.Current;
        var started = Stopwatch.GetTimestamp();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(options.Proxy.RequestTimeout);
        var origin = request.Origin;
        using var message = new HttpRequestMessage(HttpMethod.Get, request.UpstreamUrlAt(url))
        {
            Version = url.Version,
            VersionPolicy = url.VersionPolicy,
        };
        // the client that started the fill speaks for every request this fill answers (docs/forwarding.md)
        ForwardingPolicy.Apply(message.Headers, origin.Forwarding, request.Client);
        if (revalidate is { StatusCode: 200 } && (revalidate.ETag is not null || revalidate.LastModified is not null))
        {
            if (revalidate.ETag is not null)
            {
                message.Headers.TryAddWithoutValidation("If-None-Match", revalidate.ETag);
            }
            if (revalidate.LastModified is not null)
            {
                message.Headers.TryAddWithoutValidation("If-Modified-Since", revalidate.LastModified);
            }
        }
        else
        {
            revalidate = null;
        }
        FetchOutcome? outcome = null;
        long received = 0;
        var originStatus = 0;
        try
        {
            var response = await origin.Invoker.SendAsync(message, cts.Token).ConfigureAwait(false);
            try
            {
                originStatus = (int)response.StatusCode;
                (outcome, received) = revalidate is not null && originStatus == StatusCodes.Status304NotModified
                    ? (Renew(request, response, revalidate, options.Cache), 0)
                    : await ReadAsync(request, response, options.Cache, cts.Token).ConfigureAwait(false);
                if (revalidate is not null && outcome.Status == FetchStatus.Ok)
                {
                    metrics.Revalidated(origin.Name, notModified: outcome.Revalidated);
                }
            }
            finally
            {
                if (outcome?.Handoff is null)
                {
                    response.Dispose();
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = new FetchOutcome(FetchStatus.Timeout, null, originStatus, $"no complete response within {options.Proxy.RequestTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex) when (originStatus == 0)
        {
            outcome = new FetchOutcome(FetchStatus.Unreachable, null, 0, Describe(ex));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or HttpIOException)
        {
            // headers arrived, then the body broke off
            outcome = new FetchOutcome(FetchStatus.BadResponse, null, originStatus, "response body truncated: " + ex.Message);
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Operations.OriginTiming.Record(seconds); // the access log's origin time (no-op when it is off)
        var error = outcome.Status switch
        {
            FetchStatus.Ok => null,
            FetchStatus.TooLarge => "too_large",
            FetchStatus.Unreachable => "connect",
            FetchStatus.Timeout => "timeout",
            _ => originStatus >= 500 ? "status" : outcome.Reason.StartsWith("response body truncated", StringComparison.Ordinal) ? "truncated" : "bad_response",
        };
        metrics.OriginFetch(origin.Name, outcome.Entry?.Kind ?? request.Kind, originStatus, seconds, received, error);
        if (error is not null && outcome.Status != FetchStatus.TooLarge)
        {
            Log.OriginFailed(logger, origin.Name, request.Path, outcome.Status, outcome.Reason);
        }
        // what counts against the URL (failover): not an oversized body, a redirect or a malformed playlist
        return (outcome, error is "connect" or "timeout" or "status" or "truncated" ? error : null);
    }

    /// <summary>A 304 to a conditional GET: the cached body with a new lifetime (and any new validators), no body transfer.</summary>
    private FetchOutcome Renew(HlsRequest request, HttpResponseMessage response, CacheEntry previous, CacheOptions cache)
    {
        var now = time.GetUtcNow();
        var settings = config.Current.OriginSettings.GetValueOrDefault(request.Origin.Name);
        var directives = OriginCacheDirectives.Read(response, settings, now);
        var playlist = previous.Kind is RouteKind.MasterPlaylist or RouteKind.MediaPlaylist ? PlaylistInspector.Inspect(previous.Body) : default;
        var fresh = directives.IsStorable ? directives.Apply(CacheTtlPolicy.FreshFor(200, previous.Kind, playlist, cache), 200, settings) : TimeSpan.Zero;
        var entry = new CacheEntry(200, previous.Kind, now, now + fresh, previous.ContentType,
            response.Headers.ETag?.ToString() ?? previous.ETag,
            response.Content.Headers.LastModified?.ToString("R") ?? previous.LastModified,
            previous.Body);
        return new FetchOutcome(FetchStatus.Ok, entry, 304, "not modified")
        {
            Revalidated = true,
            NoStoreReason = directives.NoStoreReason,
            ClientCacheControl = directives.ClientCacheControl,
        };
    }

    private async Task<(FetchOutcome, long)> ReadAsync(HlsRequest request, HttpResponseMessage response, CacheOptions cache, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return (new FetchOutcome(FetchStatus.BadResponse, null, status, $"origin answered {status}"), 0);
        }
        if (status is >= 300 and < 400)
        {
            // Following redirects would let an origin point us anywhere (SSRF); refuse.
            return (new FetchOutcome(FetchStatus.BadResponse, null, status, $"origin redirected ({status}); redirects are not followed"), 0);
        }
        if (status != 200 && status < 400)
        {
            return (new FetchOutcome(FetchStatus.BadResponse, null, status, $"unexpected origin status {status}"), 0);
        }

        var length = response.Content.Headers.ContentLength;
        if (length > cache.MaxEntryBytes)
        {
            // the body is not read: the request that started the fill streams it from here (one origin request)
            var handoff = request.CanTakeOpenResponse ? new OpenResponse(response, time) : null;
            return (new FetchOutcome(FetchStatus.TooLarge, null, status, "larger than Gateway:Cache:MaxEntryBytes") { Handoff = handoff }, 0);
        }
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var _ = stream.ConfigureAwait(false);
        byte[]? body;
        if (length is long known)
        {
            body = new byte[known];
            var read = await stream.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
            if (read < body.Length)
            {
                return (new FetchOutcome(FetchStatus.BadResponse, null, status, $"response body truncated: {read} of {known} bytes"), read);
            }
        }
        else
        {
            body = await ReadUnknownLengthAsync(stream, cache.MaxEntryBytes, ct).ConfigureAwait(false);
            if (body is null)
            {
                return (new FetchOutcome(FetchStatus.TooLarge, null, status, "larger than Gateway:Cache:MaxEntryBytes"), cache.MaxEntryBytes);
            }
        }

        var kind = request.Kind;
        var contentType = response.Content.Headers.ContentType?.ToString();
        PlaylistInfo playlist = default;
        if (status == 200 && (request.IsPlaylist || IsPlaylistContentType(contentType)))
        {
            playlist = PlaylistInspector.Inspect(body);
            if (!playlist.IsValid)
            {
                return (new FetchOutcome(FetchStatus.BadResponse, null, status, "origin returned a malformed playlist (no #EXTM3U)"), body.Length);
            }
            kind = playlist.IsMaster ? RouteKind.MasterPlaylist : RouteKind.MediaPlaylist;
        }

        var now = time.GetUtcNow();
        var settings = config.Current.OriginSettings.GetValueOrDefault(request.Origin.Name);
        var directives = OriginCacheDirectives.Read(response, settings, now);
        var fresh = directives.IsStorable ? directives.Apply(CacheTtlPolicy.FreshFor(status, kind, playlist, cache), status, settings) : TimeSpan.Zero;
        var entry = new CacheEntry(status, kind, now, now + fresh, contentType,
            response.Headers.ETag?.ToString(),
            response.Content.Headers.LastModified?.ToString("R"),
            body);
        return (new FetchOutcome(FetchStatus.Ok, entry, status, status == 200 ? "ok" : $"origin answered {status}")
        {
            NoStoreReason = directives.NoStoreReason,
            ClientCacheControl = directives.ClientCacheControl,
        }, body.Length);
    }

    private static bool IsPlaylistContentType(string? contentType) =>
        contentType is not null &&
        (contentType.Contains("mpegurl", StringComparison.OrdinalIgnoreCase));

    private static async Task<byte[]?> ReadUnknownLengthAsync(Stream stream, long max, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var used = 0;
        try
        {
            while (true)
            {
                if (used == buffer.Length)
                {
                    if (buffer.Length >= max)
                    {
                        return null;
                    }
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, max + 1));
                    buffer.AsSpan(0, used).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var n = await stream.ReadAsync(buffer.AsMemory(used), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                used += n;
                if (used > max)
                {
                    return null;
                }
            }
            return buffer.AsSpan(0, used).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string Describe(HttpRequestException ex)
    {
        var inner = ex.InnerException;
        return inner is SocketException se ? $"cannot connect: {se.SocketErrorCode}" : $"cannot connect: {ex.HttpRequestError}";
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, EventName = "OriginFailed", Level = LogLevel.Warning, Message = "Origin {Origin} failed for {Path}: {Status} ({Reason})")]
        public static partial void OriginFailed(ILogger logger, string origin, string path, FetchStatus status, string reason);

        [LoggerMessage(EventId = 8210, EventName = "OriginFetchRetried", Level = LogLevel.Information, Message = "Origin {Origin}: {Path} failed at {From} ({Failure}); fetching it from {To}.")]
        public static partial void RetryingOnBackup(ILogger logger, string origin, string path, string from, string to, string failure);
    }
}
