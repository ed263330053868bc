using System.Diagnostics;
using HlsGateway.Proxy;
using Microsoft.AspNetCore.Http.Features;

namespace HlsGateway.Operations;

/// <summary>
/// First in the pipeline when <c>Gateway:AccessLog:Enabled</c>: times the request, and after it completes
/// queues one <see cref="AccessLogEntry"/> (the client address read then is the one ForwardedHeaders
/// resolved from trusted proxies). Nothing is formatted here.
/// </summary>
internal sealed class AccessLogMiddleware(RequestDelegate next, AccessLogWriter writer, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var time0 = time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var origin = OriginTiming.Begin();
        var failed = false;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            var response = context.Response;
            var status = failed && !response.HasStarted ? StatusCodes.Status500InternalServerError : response.StatusCode;
            var cache = response.Headers.TryGetValue(CacheHeaders.XCache, out var x) ? x.ToString() : null;
            writer.TryWrite(new AccessLogEntry(time0, context.Connection.RemoteIpAddress, context.Request.Method, target, status,
                response.ContentLength ?? -1, Stopwatch.GetElapsedTime(started).TotalSeconds, cache, origin.Seconds));
        }
    }
}
