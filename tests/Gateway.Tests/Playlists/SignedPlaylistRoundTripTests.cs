using System.Net;
using System.Text;
using HlsGateway.Access;
using HlsGateway.Tests.Access;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Playlists;

/// <summary>A player's view: one signed master URL, then every URI the gateway hands out, fetched through it.</summary>
public sealed class SignedPlaylistRoundTripTests
{
    private static async Task<TestOrigin> StartOriginAsync()
    {
        var origin = await TestOrigin.StartAsync();
        string Fix(string s) => s.Replace("{ORIGIN}", origin.BaseUrl, StringComparison.Ordinal).Replace("{ROOT}", string.Empty, StringComparison.Ordinal);
        origin.Set("/live/master.m3u8", Fix(PlaylistFixtures.Master));
        origin.Set("/live/v360/index.m3u8", Fix(PlaylistFixtures.V360));
        origin.Set("/live/v720/index.m3u8", PlaylistFixtures.SimpleMedia);
        origin.Set("/live/audio/en/index.m3u8", PlaylistFixtures.SimpleMedia);
        origin.Set("/live/audio/de/index.m3u8", PlaylistFixtures.SimpleMedia);
        origin.Set("/live/subs/en/index.m3u8", PlaylistFixtures.Subtitles);
        origin.Set("/live/v360/iframes.m3u8", PlaylistFixtures.IFrames);
        origin.Set("/live/v360/ads/ad1.m3u8", PlaylistFixtures.SimpleMedia);
        origin.Set("/live/meta/title.json", "{\"title\":\"news\"}");
        origin.Set("/live/keys/session.key", new byte[16]);
        origin.Set("/live/keys/k1.key", new byte[16]);
        foreach (var dir in new[] { "v360", "v720", "audio/en", "audio/de", "v360/ads" })
        {
            foreach (var file in new[] { "init.mp4", "seg0.m4s", "seg1.m4s", "seg100.m4s", "media.m4s", "seg103.part0.m4s", "seg103.part1.m4s", "seg103.part2.m4s" })
            {
                origin.Set($"/live/{dir}/{file}", new byte[2000]);
            }
        }
        origin.Set("/live/subs/en/sub0.vtt", "WEBVTT\n");
        origin.Set("/secret/other.ts", new byte[10]);
        return origin;
    }

    [Fact]
    public async Task Every_rewritten_child_of_a_signed_master_plays_and_nothing_else()
    {
        await using var origin = await StartOriginAsync();
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:OriginSettings:news:ForwardQuery:0"] = "token", // the origin's own token on media.m4s?token=abc
            ["Gateway:Signing:Required"] = "true",
            ["Gateway:Signing:Keys:k1"] = SigningTestVectors.KeyBase64,
        });
        var exp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 300;
        var master = "/hls/news/live/master.m3u8?" + UrlSignature.BuildQuery(SigningTestVectors.Key, "k1", exp, "/hls/news/live/master.m3u8", null, null);

        var queue = new Queue<string>([master]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var fetched = 0;
        var refused = 0;
        while (queue.Count > 0)
        {
            var uri = queue.Dequeue();
            if (!seen.Add(uri))
            {
                continue;
            }
            if (uri.StartsWith("skd:", StringComparison.Ordinal))
            {
                continue;
            }
            using var response = await gw.Client.GetAsync(uri);
            if (uri.StartsWith("/hls/~refused/", StringComparison.Ordinal))
            {
                Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, uri);
                refused++;
                continue;
            }
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{uri} -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Contains($"exp={exp}", uri);
            fetched++;
            if (uri.Split('?')[0].EndsWith(".m3u8", StringComparison.Ordinal))
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.DoesNotContain("evil.example.com", body);
                Assert.DoesNotContain(origin.BaseUrl, body);
                Assert.Contains("private", response.Headers.CacheControl?.ToString() ?? string.Empty);
                foreach (var next in PlaylistUris.Extract(body))
                {
                    queue.Enqueue(next.StartsWith("skd:", StringComparison.Ordinal) ? next : PlaylistUris.Resolve(uri, next));
                }
            }
        }
        // master + 7 child playlists + their segments, keys, init sections, parts, session data
        Assert.True(fetched >= 30, $"fetched {fetched}");
        Assert.Equal(1, refused); // both foreign URIs became the same refused URI
        Assert.DoesNotContain(origin.Requests, r => r.Path.Contains("evil", StringComparison.Ordinal));

        // the children's signature is scoped to /hls/news/live/: it does not open the rest of the origin
        var child = seen.First(u => u.Contains("acl=", StringComparison.Ordinal));
        var query = child[child.IndexOf('?')..];
        using var outside = await gw.Client.GetAsync("/hls/news/secret/other.ts" + query);
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        Assert.Contains("Path outside signed scope", await outside.Content.ReadAsStringAsync());
        Assert.Equal(0, origin.Hits("/secret/other.ts"));
    }

    [Fact]
    public async Task Signatures_do_not_leak_between_clients_through_the_cache()
    {
        await using var origin = await StartOriginAsync();
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Signing:Keys:k1"] = SigningTestVectors.KeyBase64,
        });
        var exp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 300;
        var signedA = await gw.Client.GetStringAsync("/hls/news/live/v720/index.m3u8?" + UrlSignature.BuildQuery(SigningTestVectors.Key, "k1", exp, "/hls/news/live/v720/index.m3u8", null, "127.0.0.1"));
        var unsigned = await gw.Client.GetStringAsync("/hls/news/live/v720/index.m3u8");
        var signedB = await gw.Client.GetStringAsync("/hls/news/live/v720/index.m3u8?" + UrlSignature.BuildQuery(SigningTestVectors.Key, "k1", exp + 1, "/hls/news/live/v720/index.m3u8", null, null));
        Assert.Contains("ip=127.0.0.1", signedA);
        Assert.DoesNotContain("sig=", unsigned);
        Assert.Contains("\nseg0.m4s\n", unsigned);
        Assert.DoesNotContain("ip=", signedB);
        Assert.Contains($"exp={exp + 1}", signedB);
        Assert.Equal(1, origin.Hits("/live/v720/index.m3u8"));
    }

    [Fact]
    public async Task Malformed_and_huge_playlists_from_the_origin_do_not_break_the_gateway()
    {
        await using var origin = await StartOriginAsync();
        origin.Set("/bad/garbage.m3u8", "#EXTM3U\n\u0001\u0002 garbage \"line\"\n#EXT-X-KEY:URI=\"unterminated\nhttp://[::bad\n%%%\n");
        origin.Set("/bad/noheader.m3u8", "seg0.ts\n");
        var big = new StringBuilder("#EXTM3U\n#EXT-X-TARGETDURATION:4\n");
        var i = 0;
        while (big.Length < 5 * 1024 * 1024)
        {
            big.Append("#EXTINF:4.0,\nsegment-number-").Append(i++).Append(".ts\n");
        }
        origin.Set("/bad/big.m3u8", big.ToString());
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Signing:Keys:k1"] = SigningTestVectors.KeyBase64,
        });
        using (var garbage = await gw.Client.GetAsync("/hls/news/bad/garbage.m3u8"))
        {
            Assert.Equal(HttpStatusCode.OK, garbage.StatusCode);
        }
        using (var noHeader = await gw.Client.GetAsync("/hls/news/bad/noheader.m3u8"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, noHeader.StatusCode);
        }
        var exp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 300;
        var signed = "/hls/news/bad/big.m3u8?" + UrlSignature.BuildQuery(SigningTestVectors.Key, "k1", exp, "/hls/news/bad/big.m3u8", null, null);
        var body = await gw.Client.GetStringAsync(signed);
        Assert.EndsWith($"\nsegment-number-{i - 1}.ts?exp={exp}&kid=k1&acl=/hls/news/bad/&sig=", body[..body.LastIndexOf("sig=", StringComparison.Ordinal)] + "sig=");
        Assert.Equal(i, body.Split('\n').Count(l => l.StartsWith("segment-number-", StringComparison.Ordinal) && l.Contains("&sig=", StringComparison.Ordinal)));
        var unsignedBody = await gw.Client.GetStringAsync("/hls/news/bad/big.m3u8");
        Assert.Contains("\nsegment-number-0.ts\n", unsignedBody);
    }
}
