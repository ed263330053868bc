using System.Net;
using System.Net.Http.Headers;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Proxy;

/// <summary>
/// An object above Gateway:Cache:MaxEntryBytes costs at most one origin request per client request: the fill that
/// finds it too large hands its open response to the stream of the request that started it.
/// </summary>
public sealed class BypassOriginRequestTests
{
    private static byte[] Pattern(int n)
    {
        var b = new byte[n];
        new Random(5).NextBytes(b);
        return b;
    }

    private static async Task<GatewayHost> StartAsync(TestOrigin origin) => await GatewayHost.StartAsync(new Dictionary<string, string?>
    {
        ["Gateway:Origins:o"] = origin.BaseUrl,
        ["Gateway:Cache:MaxEntryBytes"] = "65536",
    });

    [Fact]
    public async Task First_request_for_a_too_large_object_is_one_origin_request()
    {
        await using var origin = await TestOrigin.StartAsync();
        var body = Pattern(2 * 1024 * 1024);
        origin.Set("/vod/big.mp4", body);
        await using var gw = await StartAsync(origin);

        using var first = await gw.Client.GetAsync("/hls/o/vod/big.mp4");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("BYPASS", first.Headers.GetValues("X-Cache").Single());
        Assert.Equal(body, await first.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, origin.Hits("/vod/big.mp4"));

        using var second = await gw.Client.GetAsync("/hls/o/vod/big.mp4"); // known too large: straight to the stream
        Assert.Equal(body, await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(2, origin.Hits("/vod/big.mp4"));
    }

    [Fact]
    public async Task Concurrent_clients_cost_at_most_one_origin_request_each()
    {
        await using var origin = await TestOrigin.StartAsync();
        var body = Pattern(1024 * 1024);
        origin.Set("/vod/big.mp4", body);
        origin.Latency = TimeSpan.FromMilliseconds(300); // the clients overlap one fill
        await using var gw = await StartAsync(origin);

        const int clients = 8;
        var bodies = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => gw.Client.GetByteArrayAsync("/hls/o/vod/big.mp4")));
        Assert.All(bodies, b => Assert.Equal(body, b));
        Assert.InRange(origin.Hits("/vod/big.mp4"), 1, clients);
    }

    [Fact]
    public async Task A_ranged_first_request_gets_its_range()
    {
        await using var origin = await TestOrigin.StartAsync();
        var body = Pattern(1024 * 1024);
        origin.Set("/vod/big.mp4", body);
        await using var gw = await StartAsync(origin);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/hls/o/vod/big.mp4");
        request.Headers.Range = new RangeHeaderValue(100, 199);
        using var response = await gw.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(body[100..200], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_first_request_gets_headers_only()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/vod/big.mp4", Pattern(1024 * 1024));
        await using var gw = await StartAsync(origin);

        using var response = await gw.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/hls/o/vod/big.mp4"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1024 * 1024, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }
}
