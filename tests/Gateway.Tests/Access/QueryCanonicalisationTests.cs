using System.Net;
using System.Text.Json;
using HlsGateway.Access;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Access;

/// <summary>
/// The query an origin gets and a cache key carries (Proxy/QueryForwardList): _HLS_msn/_HLS_part/_HLS_skip plus the
/// origin's ForwardQuery list. With signing required anything else is refused (no signature covers it); without, dropped.
/// </summary>
public sealed class QueryCanonicalisationTests
{
    private const string KeyBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static string Sign(string path) =>
        path + "?" + UrlSignature.BuildQuery(Convert.FromBase64String(KeyBase64), "k1", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), path, null, null);

    [Fact]
    public async Task With_signing_required_an_unsigned_unlisted_parameter_is_403_and_never_reaches_the_origin()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", new byte[100]);
        origin.Set("/live/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg.ts\n");
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:OriginSettings:news:ForwardQuery:0"] = "token",
            ["Gateway:Signing:Keys:k1"] = KeyBase64,
            ["Gateway:Signing:Required"] = "true",
        });

        using (var refused = await gw.Client.GetAsync(Sign("/hls/news/live/seg.ts") + "&x="))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal("Unsigned parameter", problem.RootElement.GetProperty("title").GetString());
            Assert.Contains("'x'", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("Gateway:OriginSettings:news:ForwardQuery", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Empty(origin.Requests);

        // the LL-HLS directives and the origin's listed parameter pass, and reach the origin
        using (var ll = await gw.Client.GetAsync(Sign("/hls/news/live/index.m3u8") + "&_HLS_msn=7&_HLS_part=1"))
        {
            Assert.Equal(HttpStatusCode.OK, ll.StatusCode);
        }
        Assert.Equal("/live/index.m3u8?_HLS_msn=7&_HLS_part=1", origin.Requests.Last().Path);
        using (var listed = await gw.Client.GetAsync(Sign("/hls/news/live/seg.ts") + "&token=t1"))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        }
        Assert.Equal("/live/seg.ts?token=t1", origin.Requests.Last().Path);

        var metrics = await gw.Client.GetStringAsync("/metrics");
        Assert.Contains("hlsgw_denied_requests_total{reason=\"signature\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_signing_unlisted_parameters_are_dropped_from_the_origin_request_and_the_cache_key()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", new byte[100]);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Origins:news"] = origin.BaseUrl });

        using (var first = await gw.Client.GetAsync("/hls/news/live/seg.ts?cachebuster=1"))
        {
            Assert.Equal("MISS", first.Headers.GetValues("X-Cache").Single());
        }
        using (var second = await gw.Client.GetAsync("/hls/news/live/seg.ts?cachebuster=2&x"))
        {
            Assert.Equal("HIT", second.Headers.GetValues("X-Cache").Single()); // one object, one entry
        }
        Assert.Equal("/live/seg.ts", Assert.Single(origin.Requests).Path);
    }

    [Fact]
    public async Task A_bad_forward_list_entry_stops_start_up_naming_the_key()
    {
        await using var origin = await TestOrigin.StartAsync();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:OriginSettings:news:ForwardQuery:0"] = "a=b",
        }));
        Assert.Contains("Gateway:OriginSettings:news:ForwardQuery:0", ex.ToString(), StringComparison.Ordinal);
    }
}
