using HlsGateway.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace HlsGateway.Proxy;

/// <summary>
/// YARP transform for streamed (uncached) requests: targets the origin URL for the parsed request
/// (the gateway's own query parameters removed), applies <see cref="ForwardingPolicy"/> to the copied client headers, and marks the response <c>X-Cache: BYPASS</c>.
/// </summary>
internal sealed class PassThroughTransformer(string upstreamUrl, ForwardingMode forwarding) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        proxyRequest.RequestUri = new Uri(upstreamUrl, UriKind.Absolute);
        proxyRequest.Headers.Host = null; // the origin's own host, not ours
        proxyRequest.Headers.Remove(HlsGateway.Recorder.Sources.InternalClientCredential.HeaderName); // never leaves the gateway
        ForwardingPolicy.Apply(proxyRequest.Headers, forwarding, ForwardedClient.From(httpContext), httpContext.Request.Headers.Connection);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        httpContext.Response.Headers[CacheHeaders.XCache] = CacheHeaders.Bypass;
        return result;
    }
}
