using System.Diagnostics;
using System.Net;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Admin;

/// <summary>Two gateways sharing a real redis-server: a change on one is enforced on the other within 1 s.</summary>
public sealed class RedisAllowlistTests
{
    private const string Token = "test-admin-token-0123456789";

    private static Dictionary<string, string?> Settings(TestOrigin origin, RedisServer redis) => new()
    {
        ["Gateway:Origins:news"] = origin.BaseUrl,
        ["Gateway:Redis"] = redis.ConnectionString,
        ["Gateway:Admin:Token"] = Token,
    };

    private static async Task<TimeSpan> WaitForStatusAsync(GatewayHost gw, HttpStatusCode expected, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            using var response = await gw.Client.GetAsync("/hls/news/live/seg.ts");
            if (response.StatusCode == expected)
            {
                return watch.Elapsed;
            }
            Assert.True(watch.Elapsed < limit, $"still {(int)response.StatusCode} after {watch.Elapsed.TotalMilliseconds:F0} ms, expected {(int)expected}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Change_on_one_instance_applies_on_the_other_within_a_second_and_survives_restart()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", new byte[10]);
        await using var a = await GatewayHost.StartAsync(Settings(origin, redis));
        await using var b = await GatewayHost.StartAsync(Settings(origin, redis));
        Assert.Equal(HttpStatusCode.OK, (await b.Client.GetAsync("/hls/news/live/seg.ts")).StatusCode);

        // allow only another network: 127.0.0.1 loses access on B
        using (var post = await AllowlistAdminTests.SendAsync(a, HttpMethod.Post, "/admin/allowlist", "{\"cidr\":\"198.51.100.0/24\",\"note\":\"office\"}"))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }
        await WaitForStatusAsync(b, HttpStatusCode.Forbidden, TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Forbidden, (await a.Client.GetAsync("/hls/news/live/seg.ts")).StatusCode);

        // a TTL entry for us: allowed on B, then expires on its own
        using (var post = await AllowlistAdminTests.SendAsync(a, HttpMethod.Post, "/admin/allowlist", "{\"cidr\":\"127.0.0.1/32\",\"ttlSeconds\":2}"))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }
        await WaitForStatusAsync(b, HttpStatusCode.OK, TimeSpan.FromSeconds(1));
        await WaitForStatusAsync(b, HttpStatusCode.Forbidden, TimeSpan.FromSeconds(4));

        // a third instance started later loads the surviving entry from Redis
        await using (var c = await GatewayHost.StartAsync(Settings(origin, redis)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await c.Client.GetAsync("/hls/news/live/seg.ts")).StatusCode);
            using var list = await AllowlistAdminTests.SendAsync(c, HttpMethod.Get, "/admin/allowlist");
            var text = await list.Content.ReadAsStringAsync();
            Assert.Contains("198.51.100.0/24", text);
            Assert.DoesNotContain("127.0.0.1/32", text);
        }

        // delete on B applies on A
        using (var delete = await AllowlistAdminTests.SendAsync(b, HttpMethod.Delete, "/admin/allowlist?cidr=198.51.100.0/24"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }
        await WaitForStatusAsync(a, HttpStatusCode.OK, TimeSpan.FromSeconds(1));
    }
}
