using System.Net;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Access;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Separate_playlist_and_segment_buckets_per_client_with_retry_after()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg.ts\n");
        origin.Set("/live/seg.ts", new byte[10]);
        var metrics = new CountingMetrics();
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:RateLimits:Playlist:PermitsPerSecond"] = "1",
            ["Gateway:RateLimits:Playlist:Burst"] = "3",
            ["Gateway:RateLimits:Segment:PermitsPerSecond"] = "1",
            ["Gateway:RateLimits:Segment:Burst"] = "5",
        }, b => b.Services.AddSingleton<IGatewayMetrics>(metrics));

        var playlist = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var r = await gw.Client.GetAsync("/hls/news/live/index.m3u8");
            playlist.Add(r.StatusCode);
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
                Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
                Assert.Contains("Rate limited", await r.Content.ReadAsStringAsync());
            }
        }
        // the playlist bucket is exhausted, the segment bucket is not
        using (var seg = await gw.Client.GetAsync("/hls/news/live/seg.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, seg.StatusCode);
        }
        Assert.True(playlist.Count(s => s == HttpStatusCode.OK) is >= 3 and <= 4, string.Join(",", playlist));
        Assert.Equal(HttpStatusCode.TooManyRequests, playlist[^1]);
        Assert.All(metrics.Denied, r => Assert.Equal("rate", r));
        Assert.NotEmpty(metrics.Denied);
        // non-HLS paths are not limited
        for (var i = 0; i < 5; i++)
        {
            using var health = await gw.Client.GetAsync("/health");
            Assert.NotEqual(HttpStatusCode.TooManyRequests, health.StatusCode);
        }
    }
}
