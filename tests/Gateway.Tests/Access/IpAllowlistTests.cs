using System.Net;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Access;

/// <summary>The test client always connects from 127.0.0.1; X-Forwarded-For says who it claims to be.</summary>
public sealed class IpAllowlistTests
{
    private static async Task<(TestOrigin Origin, GatewayHost Gateway, CountingMetrics Metrics)> StartAsync(Dictionary<string, string?> settings)
    {
        var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", new byte[10]);
        settings["Gateway:Origins:news"] = origin.BaseUrl;
        var metrics = new CountingMetrics();
        var gw = await GatewayHost.StartAsync(settings, b => b.Services.AddSingleton<IGatewayMetrics>(metrics));
        return (origin, gw, metrics);
    }

    private static async Task<HttpStatusCode> GetAsync(GatewayHost gw, string path, string? xff = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (xff is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", xff);
        }
        using var response = await gw.Client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("IP not allowed", await response.Content.ReadAsStringAsync());
        }
        return response.StatusCode;
    }

    public static TheoryData<string, string, string?, string?, HttpStatusCode> Table() => new()
    {
        // name, allow, trusted proxies, X-Forwarded-For, expected
        { "peer allowed", "127.0.0.0/8", null, null, HttpStatusCode.OK },
        { "peer not allowed", "203.0.113.0/24", null, null, HttpStatusCode.Forbidden },
        { "spoofed XFF from untrusted peer is ignored", "203.0.113.0/24", null, "203.0.113.5", HttpStatusCode.Forbidden },
        { "spoofed XFF cannot hide an allowed peer either", "127.0.0.1/32", null, "198.51.100.1", HttpStatusCode.OK },
        { "trusted proxy forwards an allowed client", "203.0.113.0/24", "127.0.0.1/32", "203.0.113.5", HttpStatusCode.OK },
        { "trusted proxy forwards a denied client", "203.0.113.0/24", "127.0.0.1/32", "198.51.100.1", HttpStatusCode.Forbidden },
        { "right-most untrusted hop is the client", "203.0.113.0/24", "127.0.0.1/32", "203.0.113.5, 198.51.100.1", HttpStatusCode.Forbidden },
        { "trusted chain is walked", "203.0.113.0/24", "127.0.0.1/32,10.0.0.0/8", "198.51.100.1, 203.0.113.5, 10.1.1.1, 10.2.2.2", HttpStatusCode.OK },
        { "ipv6 client via proxy", "2001:db8::/32", "127.0.0.1/32", "2001:db8::5", HttpStatusCode.OK },
        { "ipv6 client not allowed", "2001:db8::/32", "127.0.0.1/32", "2001:db9::5", HttpStatusCode.Forbidden },
        { "mapped ipv6 client matches ipv4 range", "203.0.113.0/24", "127.0.0.1/32", "::ffff:203.0.113.5", HttpStatusCode.OK },
        { "ipv4 client matches mapped range", "::ffff:203.0.113.0/120", "127.0.0.1/32", "203.0.113.5", HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task Allowlist_table(string name, string allow, string? trusted, string? xff, HttpStatusCode expected)
    {
        _ = name;
        var settings = new Dictionary<string, string?> { ["Gateway:Access:Allow"] = allow };
        if (trusted is not null)
        {
            settings["Gateway:Access:TrustedProxies"] = trusted;
        }
        var (origin, gw, metrics) = await StartAsync(settings);
        await using var _o = origin;
        await using var _g = gw;
        Assert.Equal(expected, await GetAsync(gw, "/hls/news/live/seg.ts", xff));
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal("ip", Assert.Single(metrics.Denied));
            Assert.Equal(0, origin.TotalHits);
        }
    }

    [Fact]
    public async Task Monitoring_is_exempt_unless_protected()
    {
        var (origin, gw, _) = await StartAsync(new() { ["Gateway:Access:Allow:0"] = "203.0.113.0/24" });
        await using (origin)
        await using (gw)
        {
            Assert.NotEqual(HttpStatusCode.Forbidden, await GetAsync(gw, "/health"));
            Assert.NotEqual(HttpStatusCode.Forbidden, await GetAsync(gw, "/metrics"));
            Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gw, "/hls/news/live/seg.ts"));
        }
        (origin, gw, _) = await StartAsync(new() { ["Gateway:Access:Allow:0"] = "203.0.113.0/24", ["Gateway:Access:ProtectMonitoring"] = "true" });
        await using (origin)
        await using (gw)
        {
            Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gw, "/health"));
            Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gw, "/metrics"));
        }
    }

    [Fact]
    public async Task Empty_allowlist_allows_everyone()
    {
        var (origin, gw, metrics) = await StartAsync(new());
        await using var _o = origin;
        await using var _g = gw;
        Assert.Equal(HttpStatusCode.OK, await GetAsync(gw, "/hls/news/live/seg.ts", "198.51.100.1"));
        Assert.Empty(metrics.Denied);
    }
}
