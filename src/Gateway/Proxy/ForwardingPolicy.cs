using System.Net;
using System.Net.Http.Headers;
using HlsGateway.Configuration;
using Microsoft.Extensions.Primitives;

namespace HlsGateway.Proxy;

/// <summary>
/// The one rule for what reaches an origin about the client, applied to cache fills (<see cref="OriginFetcher"/>)
/// and to streamed requests (<see cref="PassThroughTransformer"/>) alike:
/// hop-by-hop headers (and those the client's <c>Connection</c> names) and every client-supplied forwarding header
/// (<c>X-Forwarded-*</c>, <c>Forwarded</c>, <c>X-Real-IP</c>, <c>True-Client-IP</c>, <c>CF-Connecting-IP</c>, ...) are
/// removed; then, per <see cref="ForwardingMode"/>, the gateway states the client it resolved itself.
/// The gateway is the origin's only hop: the chain the trusted proxies sent is not passed on, only its result.
/// </summary>
internal static class ForwardingPolicy
{
    public const string XForwardedFor = "X-Forwarded-For";
    public const string XForwardedProto = "X-Forwarded-Proto";
    public const string XForwardedHost = "X-Forwarded-Host";
    public const string Forwarded = "Forwarded";

    private static readonly string[] HopByHop =
    [
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Proxy-Authorization", "Proxy-Authenticate",
    ];

    private static readonly string[] ClientForwarding =
    [
        Forwarded, "X-Real-IP", "True-Client-IP", "CF-Connecting-IP", "X-Client-IP", "X-Cluster-Client-IP",
        "Fastly-Client-IP", "X-Original-For", "X-Original-Proto", "X-Original-Host",
    ];

    private const string XForwardedPrefix = "X-Forwarded-";

    /// <summary>Strips what must not pass, then adds the gateway's own statement of the client.</summary>
    /// <param name="connection">The client's <c>Connection</c> header (headers it names are hop-by-hop too).</param>
    public static void Apply(HttpRequestHeaders headers, ForwardingMode mode, in ForwardedClient client, StringValues connection = default)
    {
        Strip(headers, connection);
        switch (mode)
        {
            case ForwardingMode.Xff:
                if (Format(client.Address) is { } address)
                {
                    headers.TryAddWithoutValidation(XForwardedFor, address);
                }
                headers.TryAddWithoutValidation(XForwardedProto, client.Scheme);
                if (client.Host.Length > 0)
                {
                    headers.TryAddWithoutValidation(XForwardedHost, client.Host);
                }
                break;
            case ForwardingMode.Forwarded:
                headers.TryAddWithoutValidation(Forwarded, ForwardedValue(client));
                break;
        }
    }

    private static void Strip(HttpRequestHeaders headers, StringValues connection)
    {
        foreach (var value in connection)
        {
            foreach (var token in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                headers.Remove(token);
            }
        }
        foreach (var name in HopByHop)
        {
            headers.Remove(name);
        }
        foreach (var name in ClientForwarding)
        {
            headers.Remove(name);
        }
        List<string>? prefixed = null;
        foreach (var header in headers)
        {
            if (header.Key.StartsWith(XForwardedPrefix, StringComparison.OrdinalIgnoreCase))
            {
                (prefixed ??= []).Add(header.Key);
            }
        }
        if (prefixed is not null)
        {
            foreach (var name in prefixed)
            {
                headers.Remove(name);
            }
        }
    }

    /// <summary>The address as a bare literal: IPv4-mapped IPv6 as IPv4, no zone; null when there is none.</summary>
    internal static string? Format(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes());
        }
        return address.ToString();
    }

    /// <summary><c>for=203.0.113.5;proto=https;host=example.com</c>; IPv6 as <c>for="[2001:db8::1]"</c>, no address as <c>for=unknown</c>.</summary>
    internal static string ForwardedValue(in ForwardedClient client)
    {
        var address = Format(client.Address);
        var node = address is null ? "unknown" : address.Contains(':') ? $"\"[{address}]\"" : address;
        var value = $"for={node};proto={client.Scheme}";
        return client.Host.Length == 0 ? value : $"{value};host={Quote(client.Host)}";
    }

    private static string Quote(string host)
    {
        foreach (var c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                return "\"" + host.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
            }
        }
        return host;
    }
}
