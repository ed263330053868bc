using System.Net;
using System.Net.Security;
using HlsGateway.Configuration;

namespace HlsGateway.Proxy;

/// <summary>
/// Builds the one pooled <see cref="SocketsHttpHandler"/> per origin, set up the way YARP's
/// ForwarderHttpClientFactory does: no redirects, cookies, decompression or proxy; HTTP/2 with
/// multiple connections and keep-alive pings; bounded connect and header sizes.
/// </summary>
internal static class OriginHandlerFactory
{
    public static Origin Create(string name, Uri baseUri, OriginSettings settings, ProxyOptions proxy)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = proxy.ConnectTimeout,
            PooledConnectionIdleTimeout = proxy.PooledConnectionIdleTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10), // pick up DNS changes
            KeepAlivePingDelay = proxy.KeepAlivePingDelay,
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            MaxResponseHeadersLength = proxy.MaxResponseHeadersKiB,
            MaxConnectionsPerServer = int.MaxValue,
            ActivityHeadersPropagator = Operations.OriginTracing.Propagator, // null unless Gateway:Tracing:Enabled (W3C traceparent)
        };
        if (settings.AcceptAnyCertificate)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
            };
        }

        Version version;
        HttpVersionPolicy policy;
        if (baseUri.Scheme == Uri.UriSchemeHttps)
        {
            // TLS: offer h2 via ALPN, fall back to HTTP/1.1 when the origin does not speak it.
            version = HttpVersion.Version20;
            policy = HttpVersionPolicy.RequestVersionOrLower;
        }
        else if (settings.Http2PriorKnowledge)
        {
            version = HttpVersion.Version20;
            policy = HttpVersionPolicy.RequestVersionExact; // h2c prior knowledge
        }
        else
        {
            version = HttpVersion.Version11;
            policy = HttpVersionPolicy.RequestVersionOrLower;
        }

        var forwardQuery = settings.ForwardQuery.Count == 0 ? QueryForwardList.Default : new QueryForwardList(settings.ForwardQuery);
        var fingerprint = string.Join('|', baseUri.AbsoluteUri, settings.Http2PriorKnowledge, settings.AcceptAnyCertificate, settings.ForwardingMode,
            proxy.ConnectTimeout, proxy.KeepAlivePingDelay, proxy.PooledConnectionIdleTimeout, proxy.MaxResponseHeadersKiB, forwardQuery);
        return new Origin(name, baseUri, new HttpMessageInvoker(handler, disposeHandler: true), version, policy, fingerprint, settings.ForwardingMode)
        {
            ForwardQuery = forwardQuery,
        };
    }
}
