using System.Net;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Caching;

/// <summary>Expired entries with a validator are revalidated with a conditional GET (docs/caching.md).</summary>
public sealed class RevalidationTests
{
    private static string XCache(HttpResponseMessage r) => r.Headers.GetValues("X-Cache").Single();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_expired_entry_is_renewed_by_a_304_and_replaced_by_a_200(bool unchanged)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var origin = await TestOrigin.StartAsync();
        var original = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        origin.Set("/v/seg1.ts", original);
        origin.SetHeaders("/v/seg1.ts", ("Cache-Control", "public, max-age=5"));
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Origins:o"] = origin.BaseUrl }, b => b.Services.AddSingleton<TimeProvider>(time));

        using (var r = await gw.Client.GetAsync("/hls/o/v/seg1.ts"))
        {
            Assert.Equal("MISS", XCache(r));
        }
        var changed = new byte[3000];
        if (!unchanged)
        {
            origin.Set("/v/seg1.ts", changed);
        }
        time.Advance(TimeSpan.FromSeconds(6)); // past max-age, inside the stale-if-error window that keeps the copy
        using (var r = await gw.Client.GetAsync("/hls/o/v/seg1.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(unchanged ? original : changed, await r.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(2, origin.Hits("/v/seg1.ts"));
        Assert.Equal(1, origin.ConditionalHits("/v/seg1.ts"));
        Assert.Equal(unchanged ? 1 : 0, origin.NotModifiedHits("/v/seg1.ts"));
        var metrics = await gw.Client.GetStringAsync("/metrics");
        Assert.Contains($"hlsgw_cache_revalidations_total{{origin=\"o\",result=\"{(unchanged ? "not_modified" : "modified")}\"}} 1", metrics);
        using (var r = await gw.Client.GetAsync("/hls/o/v/seg1.ts"))
        {
            Assert.Equal("HIT", XCache(r)); // renewed (or replaced) with a new lifetime
            Assert.Equal(unchanged ? original : changed, await r.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(2, origin.Hits("/v/seg1.ts"));
    }
}
