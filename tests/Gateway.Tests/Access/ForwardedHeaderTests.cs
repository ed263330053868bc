using System.Net;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Access;

/// <summary>
/// RFC 7239 <c>Forwarded</c> end to end: the test client connects from 127.0.0.1; the header says which
/// clients the (claimed) proxies saw. Allowed: 203.0.113.0/24 and 2001:db8::/32.
/// </summary>
public sealed class ForwardedHeaderTests
{
    public static TheoryData<string, string?, string?, string?, HttpStatusCode> Table() => new()
    {
        // name, trusted proxies, Forwarded, X-Forwarded-For, expected
        { "trusted peer, allowed client", "127.0.0.1/32", "for=203.0.113.5", null, HttpStatusCode.OK },
        { "trusted peer, denied client", "127.0.0.1/32", "for=198.51.100.1", null, HttpStatusCode.Forbidden },
        { "quoted ipv6 with port", "127.0.0.1/32", "for=\"[2001:db8::1]:1234\";proto=https", null, HttpStatusCode.OK },
        { "quoted ipv6 not allowed", "127.0.0.1/32", "for=\"[2001:db9::1]:1234\"", null, HttpStatusCode.Forbidden },
        { "untrusted peer: header ignored", "10.0.0.0/8", "for=203.0.113.5", null, HttpStatusCode.Forbidden },
        { "right-most untrusted hop is the client", "127.0.0.1/32", "for=203.0.113.5, for=198.51.100.1", null, HttpStatusCode.Forbidden },
        { "spoofed left hop does not matter", "127.0.0.1/32", "for=198.51.100.1, for=203.0.113.5", null, HttpStatusCode.OK },
        { "trusted chain is walked", "127.0.0.1/32,10.0.0.0/8", "for=198.51.100.1, for=203.0.113.5, for=10.1.1.1, for=\"10.2.2.2:443\"", null, HttpStatusCode.OK },
        { "obfuscated client is not believed (the proxy is the client)", "127.0.0.1/32", "for=203.0.113.5, for=_hidden", null, HttpStatusCode.Forbidden },
        { "obfuscated hop left of the client is ignored", "127.0.0.1/32", "for=_hidden, for=203.0.113.5", null, HttpStatusCode.OK },
        { "client-sent X-Forwarded-For is dropped in Forwarded mode", "127.0.0.1/32", null, "203.0.113.5", HttpStatusCode.Forbidden },
        { "X-Forwarded-For cannot override Forwarded", "127.0.0.1/32", "for=198.51.100.1", "203.0.113.5", HttpStatusCode.Forbidden },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task Forwarded_table(string name, string? trusted, string? forwarded, string? xff, HttpStatusCode expected)
    {
        _ = name;
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", new byte[10]);
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Access:Allow"] = "203.0.113.0/24, 2001:db8::/32",
            ["Gateway:Access:ForwardedHeader"] = "Forwarded",
            ["Gateway:Access:TrustedProxies"] = trusted,
        };
        await using var gw = await GatewayHost.StartAsync(settings);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hls/news/live/seg.ts");
        if (forwarded is not null)
        {
            request.Headers.TryAddWithoutValidation("Forwarded", forwarded);
        }
        if (xff is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", xff);
        }
        using var response = await gw.Client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Default_mode_ignores_Forwarded()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", new byte[10]);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Access:Allow"] = "203.0.113.0/24",
            ["Gateway:Access:TrustedProxies"] = "127.0.0.1/32",
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hls/news/live/seg.ts");
        request.Headers.TryAddWithoutValidation("Forwarded", "for=203.0.113.5");
        using var response = await gw.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
