using HlsGateway.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace HlsGateway.Proxy;

/// <summary>
/// YARP transform for streamed (uncached) requests: targets the origin URL for the parsed request
/// (the gateway's own query parameters removed), applies <see cref="ForwardingPolicy"/> to the copied client headers, and marks the response <c>X-Cache: BYPASS</c>.
/// </summary>
/// <param name="holdBackServerErrors">
/// Another of the origin's URLs could take this request (<see cref="OriginFailover"/>): a 5xx is not copied to the
/// client (nothing is written, so the request can be sent again) and is left in <see cref="HeldBackStatus"/>.
/// </param>
internal sealed class PassThroughTransformer(string upstreamUrl, ForwardingMode forwarding, bool holdBackServerErrors = false) : HttpTransformer
{
    /// <summary>The 5xx the origin answered and this transform kept from the client; 0 otherwise.</summary>
    public int HeldBackStatus { get; private set; }

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
        if (holdBackServerErrors && proxyResponse is { StatusCode: >= System.Net.HttpStatusCode.InternalServerError })
        {
            // status and headers not copied, body discarded: the response is still unset for the retry
            HeldBackStatus = (int)proxyResponse.StatusCode;
            return false;
        }
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        httpContext.Response.Headers[CacheHeaders.XCache] = CacheHeaders.Bypass;
        return result;
    }
}
