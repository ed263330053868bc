using System.Net;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Proxy;

/// <summary>
/// What reaches the origin about the client, on both paths: a cache fill (small object) and a streamed bypass
/// (above Gateway:Cache:MaxEntryBytes). The test client connects from 127.0.0.1 and sends a full set of forged
/// forwarding headers; the origin records every header it receives.
/// </summary>
public sealed class ForwardingTests
{
    private const string Small = "/vod/small.ts";
    private const string Big = "/vod/big.ts";

    private static readonly string[] Forged =
    [
        "Forwarded", "X-Real-IP", "True-Client-IP", "CF-Connecting-IP", "X-Forwarded-Host", "X-Forwarded-Proto",
        "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Client-IP", "X-Original-For", "X-Secret",
    ];

    private static async Task<(TestOrigin Origin, GatewayHost Gateway)> StartAsync(params (string Key, string Value)[] extra)
    {
        var origin = await TestOrigin.StartAsync();
        origin.Set(Small, new byte[2000]);
        origin.Set(Big, new byte[300_000]);
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Cache:MaxEntryBytes"] = "65536",
        };
        foreach (var (k, v) in extra)
        {
            settings[k] = v;
        }
        return (origin, await GatewayHost.StartAsync(settings));
    }

    /// <summary>GETs <paramref name="path"/> with forged headers (and the given X-Forwarded-For) and returns what the origin saw.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> SeenByOriginAsync(TestOrigin origin, GatewayHost gw, string path, string? xff, string expectedCache)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hls/o" + path);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", xff ?? "198.51.100.66");
        request.Headers.TryAddWithoutValidation("Forwarded", "for=198.51.100.66;proto=https");
        request.Headers.TryAddWithoutValidation("X-Real-IP", "198.51.100.66");
        request.Headers.TryAddWithoutValidation("True-Client-IP", "198.51.100.66");
        request.Headers.TryAddWithoutValidation("CF-Connecting-IP", "198.51.100.66");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "gopher");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Port", "1");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", "/x");
        request.Headers.TryAddWithoutValidation("X-Client-IP", "198.51.100.66");
        request.Headers.TryAddWithoutValidation("X-Original-For", "198.51.100.66");
        request.Headers.Connection.Add("X-Secret"); // a header the client marks hop-by-hop
        request.Headers.TryAddWithoutValidation("X-Secret", "hop");
        var before = origin.RequestHeaders.Count;
        using var response = await gw.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expectedCache, response.Headers.GetValues("X-Cache").Single());
        await response.Content.ReadAsByteArrayAsync();
        var seen = origin.RequestHeaders.Skip(before).ToArray();
        return Assert.Single(seen).Headers;
    }

    private static void AssertNoForged(IReadOnlyDictionary<string, string> seen, params string[] except)
    {
        foreach (var name in Forged.Except(except, StringComparer.OrdinalIgnoreCase))
        {
            Assert.False(seen.ContainsKey(name), $"{name}: {seen.GetValueOrDefault(name)} reached the origin");
        }
    }

    [Theory]
    [InlineData(Small, "MISS")]
    [InlineData(Big, "BYPASS")]
    public async Task Untrusted_peer_forged_headers_never_reach_the_origin_and_the_peer_is_the_client(string path, string cache)
    {
        var (origin, gw) = await StartAsync();
        await using var _ = origin;
        await using var __ = gw;
        var seen = await SeenByOriginAsync(origin, gw, path, xff: "203.0.113.5", cache);
        Assert.Equal("127.0.0.1", seen["X-Forwarded-For"]);
        Assert.Equal("http", seen["X-Forwarded-Proto"]);
        Assert.Equal(new Uri(gw.BaseUrl).Authority, seen["X-Forwarded-Host"]);
        AssertNoForged(seen, "X-Forwarded-Proto", "X-Forwarded-Host");
    }

    [Theory]
    [InlineData(Small, "MISS")]
    [InlineData(Big, "BYPASS")]
    public async Task Trusted_peer_the_resolved_client_is_forwarded_not_the_chain(string path, string cache)
    {
        var (origin, gw) = await StartAsync(("Gateway:Access:TrustedProxies", "127.0.0.1/32, 10.0.0.0/8"));
        await using var _ = origin;
        await using var __ = gw;
        var seen = await SeenByOriginAsync(origin, gw, path, xff: "198.51.100.1, 203.0.113.5, 10.1.2.3", cache);
        Assert.Equal("203.0.113.5", seen["X-Forwarded-For"]);
        AssertNoForged(seen, "X-Forwarded-Proto", "X-Forwarded-Host");
    }

    [Theory]
    [InlineData(Small, "MISS")]
    [InlineData(Big, "BYPASS")]
    public async Task Forwarded_mode_sends_rfc7239_and_no_x_forwarded(string path, string cache)
    {
        var (origin, gw) = await StartAsync(("Gateway:Access:TrustedProxies", "127.0.0.1/32"), ("Gateway:OriginSettings:o:Forwarding", "Forwarded"));
        await using var _ = origin;
        await using var __ = gw;
        var seen = await SeenByOriginAsync(origin, gw, path, xff: "2001:db8::7", cache);
        Assert.Equal($"for=\"[2001:db8::7]\";proto=http;host=\"{new Uri(gw.BaseUrl).Authority}\"", seen["Forwarded"]);
        Assert.False(seen.ContainsKey("X-Forwarded-For"));
        AssertNoForged(seen, "Forwarded");
    }

    [Theory]
    [InlineData(Small, "MISS")]
    [InlineData(Big, "BYPASS")]
    public async Task Off_mode_sends_nothing_about_the_client(string path, string cache)
    {
        var (origin, gw) = await StartAsync(("Gateway:OriginSettings:o:Forwarding", "Off"));
        await using var _ = origin;
        await using var __ = gw;
        var seen = await SeenByOriginAsync(origin, gw, path, xff: null, cache);
        Assert.False(seen.ContainsKey("X-Forwarded-For"));
        AssertNoForged(seen);
    }

    [Fact]
    public void Unknown_mode_stops_startup_naming_the_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--Gateway:Origins:o=http://127.0.0.1:1/",
            "--Gateway:OriginSettings:o:Forwarding=sometimes",
        ]));
        Assert.Contains("Gateway:OriginSettings:o:Forwarding", string.Join("\n", ex.Failures));
    }

    [Theory]
    [InlineData("7")]
    [InlineData("1")]
    [InlineData("")]
    [InlineData("xff,off")]
    public void Numeric_or_empty_modes_are_refused_by_the_validator(string mode)
    {
        var options = new HlsGateway.Configuration.GatewayOptions();
        options.Origins["o"] = "http://127.0.0.1:1/";
        options.OriginSettings["o"] = new HlsGateway.Configuration.OriginSettings { Forwarding = mode };
        var result = new HlsGateway.Configuration.GatewayOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("Gateway:OriginSettings:o:Forwarding", result.FailureMessage);
    }

    [Theory]
    [InlineData("203.0.113.5", "for=203.0.113.5;proto=https;host=example.com")]
    [InlineData("::ffff:203.0.113.5", "for=203.0.113.5;proto=https;host=example.com")]
    [InlineData("2001:db8::1", "for=\"[2001:db8::1]\";proto=https;host=example.com")]
    [InlineData("fe80::1%3", "for=\"[fe80::1]\";proto=https;host=example.com")]
    [InlineData(null, "for=unknown;proto=https;host=example.com")]
    public void Forwarded_value_is_rfc7239(string? address, string expected)
    {
        var client = new HlsGateway.Proxy.ForwardedClient(address is null ? null : IPAddress.Parse(address), "https", "example.com");
        Assert.Equal(expected, HlsGateway.Proxy.ForwardingPolicy.ForwardedValue(client));
    }
}
