using System.Globalization;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Problems;
using HlsGateway.Proxy;
using Microsoft.AspNetCore.Http.Features;

namespace HlsGateway.Access;

/// <summary>Per client IP rate limits on <c>/hls/*</c> (per instance, or shared through Redis): 429 problem JSON with Retry-After. Only in the pipeline when a limit is configured.</summary>
internal sealed partial class RateLimitMiddleware(
    RequestDelegate next,
    ClientRateLimiter limiter,
    IGatewayMetrics metrics,
    HlsGateway.Recorder.Sources.InternalClientCredential internalClient,
    ILogger<RateLimitMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var raw = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        if (!raw.StartsWith(HlsPathParser.Prefix, StringComparison.Ordinal))
        {
            return next(context);
        }
        var q = raw.IndexOf('?');
        var playlist = HlsPathParser.KindOf(q < 0 ? raw : raw.AsSpan(0, q)) == RouteKind.MediaPlaylist;
        if (InternalClient.IsTrusted(context, internalClient))
        {
            return next(context); // the gateway's own recorder, over loopback
        }
        if (limiter.IsShared)
        {
            return SharedAsync(context, playlist);
        }
        if (limiter.TryAcquire(context.Connection.RemoteIpAddress, playlist, out var retryAfter))
        {
            return next(context);
        }
        return DenyAsync(context, playlist, retryAfter);
    }

    private async Task SharedAsync(HttpContext context, bool playlist)
    {
        var decision = await limiter.AcquireSharedAsync(context.Connection.RemoteIpAddress, playlist, context.RequestAborted).ConfigureAwait(false);
        if (decision.Allowed)
        {
            await next(context).ConfigureAwait(false);
        }
        else
        {
            await DenyAsync(context, playlist, decision.RetryAfter).ConfigureAwait(false);
        }
    }

    private async Task DenyAsync(HttpContext context, bool playlist, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        Log.Limited(logger, context.Connection.RemoteIpAddress?.ToString() ?? "-", playlist ? "playlist" : "segment");
        metrics.RequestDenied("rate");
        await ProblemWriter.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Rate limited",
            playlist ? "Too many playlist requests from this client." : "Too many segment requests from this client.",
            seconds.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3040, EventName = "RateLimited", Level = LogLevel.Debug, Message = "Rate limited {Client} ({Kind}).")]
        public static partial void Limited(ILogger logger, string client, string kind);
    }
}
