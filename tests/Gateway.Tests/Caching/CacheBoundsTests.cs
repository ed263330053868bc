using System.Net;
using HlsGateway.Caching;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Caching;

public sealed class CacheBoundsTests
{
    [Fact]
    public async Task Memory_tier_stays_within_its_byte_bound_and_evicts()
    {
        await using var origin = await TestOrigin.StartAsync();
        for (var i = 0; i < 40; i++)
        {
            origin.Set($"/vod/s{i}.ts", new byte[100_000]);
        }
        const long limit = 1024 * 1024;
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Cache:SizeLimitBytes"] = limit.ToString(),
            ["Gateway:Cache:MaxEntryBytes"] = "500000",
        });
        var cache = gw.Services.GetRequiredService<HlsCache>();
        for (var i = 0; i < 40; i++)
        {
            using var r = await gw.Client.GetAsync($"/hls/o/vod/s{i}.ts");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode); // every player is served, cached or not
            Assert.True(cache.Statistics.Bytes <= limit, $"memory tier holds {cache.Statistics.Bytes} bytes, bound is {limit}");
        }
        // 40 x 100 KB do not fit in 1 MB: some were evicted or never admitted, so a second pass refetches
        for (var i = 0; i < 40; i++)
        {
            (await gw.Client.GetAsync($"/hls/o/vod/s{i}.ts")).EnsureSuccessStatusCode();
        }
        Assert.True(origin.TotalHits > 40, $"origin saw {origin.TotalHits} requests");
        Assert.True(cache.Statistics.Entries is > 0 and <= 11, $"entries: {cache.Statistics.Entries}");
    }
}
