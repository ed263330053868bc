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
    public static Origin Create(string name, Uri baseUri, OriginSettings settings, ProxyOptions proxy, OriginFailoverHooks? hooks = null)
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

        var forwardQuery = settings.ForwardQuery.Count == 0 ? QueryForwardList.Default : new QueryForwardList(settings.ForwardQuery);
        var urls = new OriginUrl[1 + settings.Backups.Count];
        urls[0] = new OriginUrl(0, baseUri, settings);
        for (var i = 0; i < settings.Backups.Count; i++)
        {
            urls[i + 1] = new OriginUrl(i + 1, new Uri(settings.Backups[i], UriKind.Absolute), settings);
        }
        var failover = new OriginFailover(name, urls, settings.FailoverCooldown, hooks);
        var fingerprint = string.Join('|', baseUri.AbsoluteUri, string.Join(' ', settings.Backups), settings.FailoverCooldown,
            settings.Http2PriorKnowledge, settings.AcceptAnyCertificate, settings.ForwardingMode,
            proxy.ConnectTimeout, proxy.KeepAlivePingDelay, proxy.PooledConnectionIdleTimeout, proxy.MaxResponseHeadersKiB, forwardQuery);
        return new Origin(name, failover, new HttpMessageInvoker(handler, disposeHandler: true), fingerprint, settings.ForwardingMode)
        {
            ForwardQuery = forwardQuery,
        };
    }
}
