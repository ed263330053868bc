using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Caching;

/// <summary>POST /admin/cache/purge against real gateways, a real origin and (for the fleet) a real redis-server.</summary>
public sealed class CachePurgeTests
{
    private const string Token = "purge-admin-token-0123456789";

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PurgeAsync(GatewayHost gw, string json, string? token = Token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/cache/purge") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await gw.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static async Task<(string XCache, byte[] Body)> GetAsync(GatewayHost gw, string path)
    {
        using var r = await gw.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (r.Headers.GetValues("X-Cache").Single(), await r.Content.ReadAsByteArrayAsync());
    }

    private static byte[] Body(string text) => Encoding.ASCII.GetBytes(text.PadRight(2000, '.'));

    private static string Text(byte[] body) => Encoding.ASCII.GetString(body).TrimEnd('.');

    [Fact]
    public async Task A_path_purge_removes_that_object_under_every_query_and_a_prefix_purge_everything_below()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", Body("v1 seg1"));
        origin.Set("/live/seg10.ts", Body("v1 seg10"));
        origin.Set("/other/seg1.ts", Body("v1 other"));
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Origins:news"] = origin.BaseUrl, ["Gateway:Admin:Token"] = Token });
        foreach (var p in new[] { "/hls/news/live/seg1.ts", "/hls/news/live/seg10.ts", "/hls/news/other/seg1.ts" })
        {
            Assert.Equal("MISS", (await GetAsync(gw, p)).XCache);
            Assert.Equal("HIT", (await GetAsync(gw, p)).XCache);
        }
        origin.Set("/live/seg1.ts", Body("v2 seg1"));
        origin.Set("/live/seg10.ts", Body("v2 seg10"));

        // one object: seg1.ts, not its sibling seg10.ts whose name starts the same
        var (status, body) = await PurgeAsync(gw, """{"path": "/hls/news/live/seg1.ts"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("purged").GetInt32());
        Assert.Equal(1, body.GetProperty("instances").GetInt32());
        var after = await GetAsync(gw, "/hls/news/live/seg1.ts");
        Assert.Equal(("MISS", "v2 seg1"), (after.XCache, Text(after.Body)));
        Assert.Equal("HIT", (await GetAsync(gw, "/hls/news/live/seg10.ts")).XCache);

        // a directory: both live objects, not /other/
        (status, body) = await PurgeAsync(gw, """{"prefix": "/hls/news/live/"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("purged").GetInt32());
        after = await GetAsync(gw, "/hls/news/live/seg10.ts");
        Assert.Equal(("MISS", "v2 seg10"), (after.XCache, Text(after.Body)));
        Assert.Equal("HIT", (await GetAsync(gw, "/hls/news/other/seg1.ts")).XCache);
        Assert.Equal(2, origin.Hits("/live/seg10.ts"));

        var metrics = await gw.Client.GetStringAsync("/metrics");
        Assert.Contains("hlsgw_cache_purges_total{kind=\"path\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("hlsgw_cache_purges_total{kind=\"prefix\"} 1", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "body")]
    [InlineData("[]", "body")]
    [InlineData("{}", "body")]
    [InlineData("""{"path": "/hls/news/a.ts", "prefix": "/hls/news/"}""", "body")]
    [InlineData("""{"paths": "/hls/news/a.ts"}""", "paths")]
    [InlineData("""{"path": 5}""", "path")]
    [InlineData("""{"path": "/news/a.ts"}""", "path")]
    [InlineData("""{"path": "/hls/nope/a.ts"}""", "path")]
    [InlineData("""{"path": "/hls/news/a.ts?x=1"}""", "path")]
    [InlineData("""{"path": "/hls/news/live/"}""", "path")]
    [InlineData("""{"path": "/hls/news/../a.ts"}""", "path")]
    [InlineData("""{"prefix": "/hls/news/live"}""", "prefix")]
    public async Task Bad_input_is_a_400_problem_naming_the_field(string json, string field)
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Origins:news"] = origin.BaseUrl, ["Gateway:Admin:Token"] = Token });
        var (status, body) = await PurgeAsync(gw, json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal($"Invalid {field}", body.GetProperty("title").GetString());
        Assert.StartsWith($"{field}: ", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purge_needs_the_admin_token()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Origins:news"] = origin.BaseUrl, ["Gateway:Admin:Token"] = Token });
        Assert.Equal(HttpStatusCode.Unauthorized, (await PurgeAsync(gw, """{"prefix": "/hls/news/"}""", token: null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PurgeAsync(gw, """{"prefix": "/hls/news/"}""", token: "wrong-token-000000000000")).Status);
    }

    [Fact]
    public async Task A_purge_on_one_instance_empties_every_memory_tier_and_the_redis_tier()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", Body("v1 seg1"));
        origin.Set("/live/seg2.ts", Body("v1 seg2"));
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Redis"] = redis.ConnectionString,
            ["Gateway:Admin:Token"] = Token,
        };
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings);

        // both objects in A's memory, the shared tier and B's memory (B filled from the shared tier)
        foreach (var p in new[] { "/hls/news/live/seg1.ts", "/hls/news/live/seg2.ts" })
        {
            Assert.Equal("MISS", (await GetAsync(a, p)).XCache);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while ((await GetAsync(b, p)).XCache != "HIT" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            Assert.Equal("HIT", (await GetAsync(b, p)).XCache);
        }
        Assert.Equal(1, origin.Hits("/live/seg1.ts"));
        origin.Set("/live/seg1.ts", Body("v2 seg1"));
        origin.Set("/live/seg2.ts", Body("v2 seg2"));

        var (status, body) = await PurgeAsync(a, """{"prefix": "/hls/news/live/"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("instances").GetInt32());
        Assert.Equal(4, body.GetProperty("purged").GetInt32());
        Assert.True(body.GetProperty("complete").GetBoolean());

        // the next request on each instance is a miss that reaches the origin and gets the new object:
        // neither memory tier nor the shared tier still held the old one
        var onB = await GetAsync(b, "/hls/news/live/seg1.ts");
        Assert.Equal(("MISS", "v2 seg1"), (onB.XCache, Text(onB.Body)));
        var onA = await GetAsync(a, "/hls/news/live/seg2.ts");
        Assert.Equal(("MISS", "v2 seg2"), (onA.XCache, Text(onA.Body)));
        Assert.Equal(2, origin.Hits("/live/seg1.ts"));
        Assert.Equal(2, origin.Hits("/live/seg2.ts"));
    }

    [Fact]
    public async Task With_redis_down_a_purge_answers_503_saying_only_this_instance_was_purged()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", Body("v1"));
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Redis"] = redis.ConnectionString,
            ["Gateway:Admin:Token"] = Token,
        });
        Assert.Equal("MISS", (await GetAsync(gw, "/hls/news/live/seg1.ts")).XCache);
        await redis.StopAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        (HttpStatusCode Status, JsonElement Body) result;
        do
        {
            result = await PurgeAsync(gw, """{"path": "/hls/news/live/seg1.ts"}""");
        }
        while (result.Status == HttpStatusCode.OK && DateTime.UtcNow < deadline); // until the multiplexer notices
        Assert.Equal(HttpStatusCode.ServiceUnavailable, result.Status);
        Assert.Contains("this instance only", result.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("MISS", (await GetAsync(gw, "/hls/news/live/seg1.ts")).XCache); // the local purge happened
    }
}
