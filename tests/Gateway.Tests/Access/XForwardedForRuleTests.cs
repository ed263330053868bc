using System.Net;
using HlsGateway.Access;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.Primitives;

namespace HlsGateway.Tests.Access;

/// <summary>
/// One address rule for X-Forwarded-For and Forwarded (docs/forwarding.md): Forwarded nodes may carry a port and
/// IPv6 in brackets (RFC 7239 section 6); X-Forwarded-For entries must be bare addresses. Anything else, in either
/// header, is unknown: never reinterpreted, and the walk from the right stops there.
/// </summary>
public sealed class XForwardedForRuleTests
{
    [Theory]
    [InlineData("203.0.113.5", "203.0.113.5")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("::ffff:203.0.113.5", "::ffff:203.0.113.5")]
    [InlineData("10.0.0.5:1234", null)]           // port: only Forwarded may carry one
    [InlineData("[2001:db8::1]", null)]           // brackets: Forwarded syntax
    [InlineData("[2001:db8::1]:443", null)]
    [InlineData("fe80::1%eth0", null)]            // zone
    [InlineData("fe80::1%3", null)]
    [InlineData("unknown", null)]
    [InlineData("_hidden", null)]
    [InlineData("10.1", null)]                    // shorthand
    [InlineData("010.0.0.1", null)]               // leading zeros
    [InlineData("example.com", null)]
    [InlineData("", null)]
    public void X_forwarded_for_entry(string entry, string? expected) =>
        Assert.Equal(expected, ForwardedHeaderParser.XForwardedForAddress(entry));

    [Theory]
    [InlineData("for=\"203.0.113.5:1234\"", "203.0.113.5")]     // port allowed in Forwarded, dropped
    [InlineData("for=\"[2001:db8::1]:443\"", "2001:db8::1")]
    [InlineData("for=\"[fe80::1%25eth0]\"", "unknown")]          // zone: refused in both headers
    [InlineData("for=\"[fe80::1%eth0]\"", "unknown")]
    [InlineData("for=unknown", "unknown")]
    [InlineData("for=_hidden", "unknown")]
    public void Forwarded_node(string forwarded, string expected) =>
        Assert.Equal(expected, ForwardedHeaderParser.ToXForwardedFor(forwarded));

    [Fact]
    public void Normalize_keeps_order_across_lines_and_marks_what_it_replaced()
    {
        var chain = ForwardedHeaderParser.NormalizeXForwardedFor(new StringValues(["198.51.100.1, 10.0.0.5:1234", " 203.0.113.5 "]), out var changed);
        Assert.True(changed);
        Assert.Equal("198.51.100.1, unknown, 203.0.113.5", chain);
        Assert.Equal("203.0.113.5, 10.0.0.1", ForwardedHeaderParser.NormalizeXForwardedFor("203.0.113.5, 10.0.0.1", out changed));
        Assert.False(changed);
    }

    public static TheoryData<string, string, HttpStatusCode> Table() => new()
    {
        // name, X-Forwarded-For from the trusted peer 127.0.0.1 (10.0.0.0/8 trusted too), expected (allow 203.0.113.0/24, 2001:db8::/32)
        { "bare ipv4", "203.0.113.5", HttpStatusCode.OK },
        { "bare ipv6", "2001:db8::1", HttpStatusCode.OK },
        { "ipv4 with port is unknown: the proxy is the client", "203.0.113.5:1234", HttpStatusCode.Forbidden },
        { "a malformed trusted hop stops the walk (was read as 10.0.0.5, then 203.0.113.5 allowed)", "203.0.113.5, 10.0.0.5:1234", HttpStatusCode.Forbidden },
        { "bracketed ipv6 is unknown", "[2001:db8::1]", HttpStatusCode.Forbidden },
        { "zone is unknown", "2001:db8::1%eth0", HttpStatusCode.Forbidden },
        { "unknown left of the client does not matter", "unknown, 203.0.113.5", HttpStatusCode.OK },
        { "unknown client: the proxy is the client", "203.0.113.5, unknown", HttpStatusCode.Forbidden },
        { "obfuscated client", "_hidden", HttpStatusCode.Forbidden },
        { "a well-formed trusted chain is walked", "198.51.100.1, 203.0.113.5, 10.1.1.1", HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task X_forwarded_for_from_a_trusted_proxy(string name, string xff, HttpStatusCode expected)
    {
        _ = name;
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", new byte[10]);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Access:Allow"] = "203.0.113.0/24, 2001:db8::/32",
            ["Gateway:Access:TrustedProxies"] = "127.0.0.1/32, 10.0.0.0/8",
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hls/news/live/seg.ts");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", xff);
        using var response = await gw.Client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task The_origin_hears_the_client_the_rule_resolved()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", new byte[10]);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Access:TrustedProxies"] = "127.0.0.1/32, 10.0.0.0/8",
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hls/news/live/seg.ts");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.5, 10.0.0.5:1234");
        using var response = await gw.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("127.0.0.1", Assert.Single(origin.RequestHeaders).Headers["X-Forwarded-For"]);
    }
}
