using System.Net;

namespace HlsGateway.Proxy;

/// <summary>
/// The client as the origin should hear about it: the address ForwardedHeaders resolved through the trusted
/// proxies (the TCP peer when none is trusted), the scheme and the Host it used to reach the gateway.
/// </summary>
internal readonly record struct ForwardedClient(IPAddress? Address, string Scheme, string Host)
{
    public static ForwardedClient From(HttpContext context) =>
        new(context.Connection.RemoteIpAddress, context.Request.Scheme, context.Request.Host.Value ?? string.Empty);
}
