using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Proxy;

/// <summary>The gateway on real Kestrel in front of a real Kestrel origin, both on loopback.</summary>
public sealed class ProxyFunctionalTests
{
    private static byte[] Bytes(int n, int seed = 1)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        b[0] = 0x47;
        return b;
    }

    private static Dictionary<string, string?> Settings(TestOrigin origin, params (string Key, string Value)[] extra)
    {
        var d = new Dictionary<string, string?> { ["Gateway:Origins:o"] = origin.BaseUrl };
        foreach (var (k, v) in extra)
        {
            d[k] = v;
        }
        return d;
    }

    [Fact]
    public async Task Speaks_h2c_to_an_origin_configured_for_prior_knowledge()
    {
        await using var origin = await TestOrigin.StartAsync(http2Only: true);
        origin.Set("/live/seg1.ts", Bytes(1000));
        await using var gw = await GatewayHost.StartAsync(Settings(origin, ("Gateway:OriginSettings:o:Http2PriorKnowledge", "true")));

        using var response = await gw.Client.GetAsync("/hls/o/live/seg1.ts");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("HTTP/2", Assert.Single(origin.Requests).Protocol);
    }

    [Fact]
    public async Task Negotiates_h2_over_tls_with_alpn()
    {
        await using var origin = await TestOrigin.StartAsync(tls: true);
        origin.Set("/live/seg1.ts", Bytes(1000));
        Assert.StartsWith("https://", origin.BaseUrl);
        await using var gw = await GatewayHost.StartAsync(Settings(origin, ("Gateway:OriginSettings:o:AcceptAnyCertificate", "true")));

        using var response = await gw.Client.GetAsync("/hls/o/live/seg1.ts");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("HTTP/2", Assert.Single(origin.Requests).Protocol);
    }

    [Fact]
    public async Task Falls_back_to_http11_for_a_plain_origin()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", Bytes(1000));
        await using var gw = await GatewayHost.StartAsync(Settings(origin));

        using var response = await gw.Client.GetAsync("/hls/o/live/seg1.ts");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("HTTP/1.1", Assert.Single(origin.Requests).Protocol);
    }

    [Fact]
    public async Task Two_hundred_concurrent_misses_make_one_origin_request()
    {
        await using var origin = await TestOrigin.StartAsync();
        var body = Bytes(512 * 1024, seed: 7);
        origin.Set("/live/new.ts", body);
        origin.Latency = TimeSpan.FromMilliseconds(300); // the fetch is in flight while the herd arrives
        await using var gw = await GatewayHost.StartAsync(Settings(origin));

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { BaseAddress = new Uri(gw.BaseUrl) };
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, 200).Select(async _ =>
        {
            await start.Task;
            using var r = await client.GetAsync("/hls/o/live/new.ts");
            return (r.StatusCode, Body: await r.Content.ReadAsByteArrayAsync(), XCache: r.Headers.GetValues("X-Cache").Single());
        }).ToArray();
        start.SetResult();
        var results = await Task.WhenAll(tasks);

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(results, r => Assert.Equal(body, r.Body));
        Assert.Equal(1, origin.Hits("/live/new.ts"));
    }

    [Fact]
    public async Task Live_playlist_ttl_follows_target_duration()
    {
        await using var origin = await TestOrigin.StartAsync();
        static string Playlist(int seq) => $"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:{seq}\n#EXTINF:2.0,\nseg{seq}.ts\n#EXTINF:2.0,\nseg{seq + 1}.ts\n";
        origin.Set("/live/index.m3u8", Playlist(10));
        await using var gw = await GatewayHost.StartAsync(Settings(origin));

        using var first = await gw.Client.GetAsync("/hls/o/live/index.m3u8");
        Assert.Equal("MISS", first.Headers.GetValues("X-Cache").Single());
        Assert.Equal("application/vnd.apple.mpegurl", first.Content.Headers.ContentType?.MediaType);
        Assert.True(first.Headers.CacheControl?.MaxAge <= TimeSpan.FromSeconds(1), "a live playlist with target 2 s is fresh for at most 1 s");

        origin.Set("/live/index.m3u8", Playlist(11)); // the origin moves on
        using var second = await gw.Client.GetAsync("/hls/o/live/index.m3u8");
        Assert.Equal("HIT", second.Headers.GetValues("X-Cache").Single());
        Assert.Contains("MEDIA-SEQUENCE:10", await second.Content.ReadAsStringAsync());

        await Task.Delay(TimeSpan.FromSeconds(1.2)); // half the target duration has passed
        using var third = await gw.Client.GetAsync("/hls/o/live/index.m3u8");
        Assert.Equal("MISS", third.Headers.GetValues("X-Cache").Single());
        Assert.Contains("MEDIA-SEQUENCE:11", await third.Content.ReadAsStringAsync());
        Assert.Equal(2, origin.Hits("/live/index.m3u8"));
    }

    [Fact]
    public async Task Vod_playlists_and_segments_are_cached_long()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/vod/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\na.ts\n#EXT-X-ENDLIST\n");
        origin.Set("/vod/a.ts", Bytes(2000));
        await using var gw = await GatewayHost.StartAsync(Settings(origin));
        for (var i = 0; i < 3; i++)
        {
            (await gw.Client.GetAsync("/hls/o/vod/index.m3u8")).EnsureSuccessStatusCode();
            (await gw.Client.GetAsync("/hls/o/vod/a.ts")).EnsureSuccessStatusCode();
        }
        using var r = await gw.Client.GetAsync("/hls/o/vod/index.m3u8");
        Assert.True(r.Headers.CacheControl?.MaxAge > TimeSpan.FromMinutes(5));
        Assert.Equal(1, origin.Hits("/vod/index.m3u8"));
        Assert.Equal(1, origin.Hits("/vod/a.ts"));
    }

    [Fact]
    public async Task Server_errors_are_not_cached()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", Bytes(1000));
        origin.Fault = OriginFault.ServerError;
        await using var gw = await GatewayHost.StartAsync(Settings(origin));

        using var failed = await gw.Client.GetAsync("/hls/o/live/seg.ts");
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await failed.Content.ReadAsStringAsync());
        Assert.Equal("Origin error", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(502, problem.RootElement.GetProperty("status").GetInt32());

        origin.Fault = OriginFault.None;
        using var ok = await gw.Client.GetAsync("/hls/o/live/seg.ts");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("MISS", ok.Headers.GetValues("X-Cache").Single());
        Assert.Equal(2, origin.Hits("/live/seg.ts"));
    }

    [Fact]
    public async Task Serves_stale_while_the_origin_fails_then_is_down()
    {
        var origin = await TestOrigin.StartAsync();
        const string playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:5\n#EXTINF:1.0,\nseg5.ts\n";
        origin.Set("/live/index.m3u8", playlist);
        await using var gw = await GatewayHost.StartAsync(Settings(origin, ("Gateway:Cache:StaleIfError", "00:01:00")));

        (await gw.Client.GetAsync("/hls/o/live/index.m3u8")).EnsureSuccessStatusCode();
        origin.Fault = OriginFault.ServerError;
        await Task.Delay(700); // fresh for 0.5 s (half of target 1 s)

        using var stale = await gw.Client.GetAsync("/hls/o/live/index.m3u8");
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("STALE", stale.Headers.GetValues("X-Cache").Single());
        Assert.Equal(playlist, await stale.Content.ReadAsStringAsync());

        await origin.DisposeAsync(); // connection refused now
        using var staleDown = await gw.Client.GetAsync("/hls/o/live/index.m3u8");
        Assert.Equal("STALE", staleDown.Headers.GetValues("X-Cache").Single());

        using var never = await gw.Client.GetAsync("/hls/o/live/other.m3u8");
        Assert.Equal(HttpStatusCode.BadGateway, never.StatusCode);
        using var problem = JsonDocument.Parse(await never.Content.ReadAsStringAsync());
        Assert.Equal("Origin unreachable", problem.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Slow_origin_yields_504_within_the_timeout_and_nothing_is_cached()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/slow.ts", Bytes(1000));
        origin.Fault = OriginFault.Slow;
        origin.Delay = TimeSpan.FromSeconds(10);
        await using var gw = await GatewayHost.StartAsync(Settings(origin, ("Gateway:Proxy:RequestTimeout", "00:00:01")));

        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var r = await gw.Client.GetAsync("/hls/o/live/slow.ts");
        Assert.Equal(HttpStatusCode.GatewayTimeout, r.StatusCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(8), "answered near the 1 s timeout, not when the origin finally answers");
        using var problem = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal("Origin timeout", problem.RootElement.GetProperty("title").GetString());

        origin.Fault = OriginFault.None;
        using var ok = await gw.Client.GetAsync("/hls/o/live/slow.ts");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Theory]
    [InlineData("Truncate")]
    [InlineData("HugeHeaders")]
    public async Task Hostile_origin_yields_502_and_is_not_cached(string faultName)
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/bad.ts", Bytes(100_000));
        origin.Fault = Enum.Parse<OriginFault>(faultName);
        await using var gw = await GatewayHost.StartAsync(Settings(origin));

        using var r = await gw.Client.GetAsync("/hls/o/live/bad.ts");
        Assert.Equal(HttpStatusCode.BadGateway, r.StatusCode);

        origin.Fault = OriginFault.None;
        using var ok = await gw.Client.GetAsync("/hls/o/live/bad.ts");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(100_000, (await ok.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Malformed_playlist_yields_502_and_is_not_cached()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/index.m3u8", "<html>not a playlist</html>");
        await using var gw = await GatewayHost.StartAsync(Settings(origin));
        Assert.Equal(HttpStatusCode.BadGateway, (await gw.Client.GetAsync("/hls/o/live/index.m3u8")).StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, (await gw.Client.GetAsync("/hls/o/live/index.m3u8")).StatusCode);
        Assert.Equal(2, origin.Hits("/live/index.m3u8"));
    }

    [Fact]
    public async Task Range_and_head_are_served_from_the_cache()
    {
        await using var origin = await TestOrigin.StartAsync();
        var body = Bytes(10_000, seed: 3);
        origin.Set("/vod/a.ts", body);
        await using var gw = await GatewayHost.StartAsync(Settings(origin));

        using var head = await gw.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/hls/o/vod/a.ts"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(10_000, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        var ranged = new HttpRequestMessage(HttpMethod.Get, "/hls/o/vod/a.ts");
        ranged.Headers.Range = new RangeHeaderValue(100, 199);
        using var part = await gw.Client.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal("bytes 100-199/10000", part.Content.Headers.ContentRange?.ToString());
        Assert.Equal(body[100..200], await part.Content.ReadAsByteArrayAsync());
        Assert.Equal("HIT", part.Headers.GetValues("X-Cache").Single());

        var suffix = new HttpRequestMessage(HttpMethod.Get, "/hls/o/vod/a.ts");
        suffix.Headers.Range = new RangeHeaderValue(null, 10);
        using var tail = await gw.Client.SendAsync(suffix);
        Assert.Equal(body[^10..], await tail.Content.ReadAsByteArrayAsync());

        var beyond = new HttpRequestMessage(HttpMethod.Get, "/hls/o/vod/a.ts");
        beyond.Headers.Range = new RangeHeaderValue(20_000, null);
        using var unsatisfiable = await gw.Client.SendAsync(beyond);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);

        Assert.Equal(1, origin.Hits("/vod/a.ts"));
    }

    [Fact]
    public async Task Conditional_get_answers_304()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/vod/a.ts", Bytes(1000));
        await using var gw = await GatewayHost.StartAsync(Settings(origin));
        using var first = await gw.Client.GetAsync("/hls/o/vod/a.ts");
        var etag = first.Headers.ETag!;
        var again = new HttpRequestMessage(HttpMethod.Get, "/hls/o/vod/a.ts");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await gw.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task Large_segments_stream_through_yarp_uncached_including_ranges()
    {
        await using var origin = await TestOrigin.StartAsync();
        var body = Bytes(3 * 1024 * 1024, seed: 9);
        origin.Set("/vod/big.ts", body);
        await using var gw = await GatewayHost.StartAsync(Settings(origin, ("Gateway:Cache:MaxEntryBytes", "65536")));

        using var r = await gw.Client.GetAsync("/hls/o/vod/big.ts", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("BYPASS", r.Headers.GetValues("X-Cache").Single());
        Assert.Equal(body, await r.Content.ReadAsByteArrayAsync());

        var ranged = new HttpRequestMessage(HttpMethod.Get, "/hls/o/vod/big.ts");
        ranged.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var part = await gw.Client.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(body[1000..2000], await part.Content.ReadAsByteArrayAsync());
        Assert.Equal("BYPASS", part.Headers.GetValues("X-Cache").Single());
        Assert.Contains(origin.Requests, x => x.Range == "bytes=1000-1999");
    }

    [Fact]
    public async Task Gateway_query_parameters_are_not_forwarded()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", Bytes(100));
        await using var gw = await GatewayHost.StartAsync(Settings(origin, ("Gateway:OriginSettings:o:ForwardQuery:0", "token")));
        (await gw.Client.GetAsync("/hls/o/live/seg.ts?exp=1&kid=k&sig=abc&token=xyz")).EnsureSuccessStatusCode();
        Assert.Equal("/live/seg.ts?token=xyz", Assert.Single(origin.Requests).Path);
    }

    [Fact]
    public async Task Bad_input_gets_clear_problems_and_never_reaches_the_origin()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", Bytes(100));
        await using var gw = await GatewayHost.StartAsync(Settings(origin));

        using var unknown = await gw.Client.GetAsync("/hls/nope/live/seg.ts");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Unknown origin", await unknown.Content.ReadAsStringAsync());

        foreach (var evil in new[] { "/hls/o/live/%2e%2e/%2e%2e/etc/passwd", "/hls/o/live/..%2fsecret.ts", "/hls/o/a%2Fb.ts", "/hls/o/live/%2E%2E/seg.ts" })
        {
            using var raw = new HttpRequestMessage(HttpMethod.Get, new Uri(gw.BaseUrl + evil, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
            using var r = await gw.Client.SendAsync(raw);
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        }

        using var post = await gw.Client.PostAsync("/hls/o/live/seg.ts", new ByteArrayContent([1]));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Contains("GET", string.Join(",", post.Content.Headers.Allow));

        Assert.Equal(0, origin.TotalHits);
    }

    [Fact]
    public async Task Origins_reload_without_restart()
    {
        await using var a = await TestOrigin.StartAsync();
        await using var b = await TestOrigin.StartAsync();
        a.Set("/x.ts", Bytes(10, 1));
        b.Set("/x.ts", Bytes(10, 2));
        var dir = Directory.CreateTempSubdirectory("gw-reload");
        var file = Path.Combine(dir.FullName, "origins.json");
        await File.WriteAllTextAsync(file, $$"""{ "Gateway": { "Origins": { "a": "{{a.BaseUrl}}" } } }""");
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>(),
            builder => Microsoft.Extensions.Configuration.JsonConfigurationExtensions.AddJsonFile(builder.Configuration, file, optional: false, reloadOnChange: true));

        Assert.Equal(HttpStatusCode.OK, (await gw.Client.GetAsync("/hls/a/x.ts")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await gw.Client.GetAsync("/hls/b/x.ts")).StatusCode);

        await File.WriteAllTextAsync(file, $$"""{ "Gateway": { "Origins": { "a": "{{a.BaseUrl}}", "b": "{{b.BaseUrl}}" } } }""");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            status = (await gw.Client.GetAsync("/hls/b/x.ts")).StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);

        // a bad reload is refused and the last good origins stay
        await File.WriteAllTextAsync(file, """{ "Gateway": { "Origins": { "a": "not a url" } } }""");
        await Task.Delay(1500);
        Assert.Equal(HttpStatusCode.OK, (await gw.Client.GetAsync("/hls/a/x.ts")).StatusCode);
        dir.Delete(recursive: true);
    }
}
