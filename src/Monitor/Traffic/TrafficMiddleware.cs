using Microsoft.AspNetCore.Http;

namespace HlsGateway.Monitor.Traffic;

/// <summary>
/// First in the pipeline: counts requests in flight per HTTP version and notes which client
/// fetched which playlist (viewer counts). No async state machine when the rest of the pipeline
/// completes synchronously; no allocation for a playlist already tracked.
/// </summary>
internal sealed class TrafficMiddleware(RequestDelegate next, TrafficCounters counters, ViewerTracker viewers)
{
    private const string HlsPrefix = "/hls/";
    private const string PlaylistSuffix = ".m3u8";

    public Task InvokeAsync(HttpContext context)
    {
        var protocol = ProtocolIndex(context.Request.Protocol);
        counters.RequestStarted(protocol);
        var path = context.Request.Path.Value;
        if (path is not null && path.EndsWith(PlaylistSuffix, StringComparison.OrdinalIgnoreCase) && path.StartsWith(HlsPrefix, StringComparison.Ordinal))
        {
            viewers.Seen(path.AsSpan(HlsPrefix.Length), context.Connection.RemoteIpAddress);
        }
        Task task;
        try
        {
            task = next(context);
        }
        catch
        {
            counters.RequestEnded(protocol);
            throw;
        }
        if (task.IsCompletedSuccessfully)
        {
            counters.RequestEnded(protocol);
            return task;
        }
        return AwaitAsync(task, protocol);
    }

    private async Task AwaitAsync(Task task, int protocol)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        finally
        {
            counters.RequestEnded(protocol);
        }
    }

    internal static int ProtocolIndex(string protocol) =>
        HttpProtocol.IsHttp2(protocol) ? TrafficCounters.Http2 : HttpProtocol.IsHttp3(protocol) ? TrafficCounters.Http3 : TrafficCounters.Http1;
}
