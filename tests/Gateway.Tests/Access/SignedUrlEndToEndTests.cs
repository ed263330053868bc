using System.Net;
using System.Text.Json;
using HlsGateway.Access;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.Configuration;

namespace HlsGateway.Tests.Access;

public sealed class SignedUrlEndToEndTests
{
    private static readonly string K2 = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());

    private static async Task<(HttpStatusCode Status, string? Title)> GetAsync(GatewayHost gw, string target)
    {
        using var response = await gw.Client.GetAsync(target);
        string? title = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            title = doc.RootElement.GetProperty("title").GetString();
        }
        return (response.StatusCode, title);
    }

    private static string Sign(string path, byte[] key, string kid, long exp, string? acl = null, string? ip = null) =>
        path + "?" + UrlSignature.BuildQuery(key, kid, exp, path, acl, ip);

    [Fact]
    public async Task Required_signing_end_to_end_with_key_rotation_by_reload()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", new byte[1000]);
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Signing:Required"] = "true",
            ["Gateway:Signing:Keys:k1"] = SigningTestVectors.KeyBase64,
        };
        var source = new MutableConfigurationSource(settings);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>(), b => ((IConfigurationBuilder)b.Configuration).Add(source));
        var exp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60;
        var k1 = SigningTestVectors.Key;

        Assert.Equal((HttpStatusCode.Forbidden, "Signature required"), await GetAsync(gw, "/hls/news/live/seg1.ts"));
        Assert.Equal((HttpStatusCode.OK, (string?)null), await GetAsync(gw, Sign("/hls/news/live/seg1.ts", k1, "k1", exp)));
        Assert.Equal((HttpStatusCode.Forbidden, "Signature expired"), await GetAsync(gw, Sign("/hls/news/live/seg1.ts", k1, "k1", exp - 3600)));
        Assert.Equal((HttpStatusCode.Forbidden, "Bad signature"), await GetAsync(gw, Sign("/hls/news/live/seg1.ts", k1, "k1", exp).Replace("seg1", "seg2")));
        Assert.Equal((HttpStatusCode.Forbidden, "Path not canonical"), await GetAsync(gw, "/hls/news/live/a%2Fb.ts" + Sign("/x", k1, "k1", exp, acl: "/hls/news/live/")[2..]));
        Assert.Equal((HttpStatusCode.Forbidden, "Unknown signing key"), await GetAsync(gw, Sign("/hls/news/live/seg1.ts", Convert.FromBase64String(K2), "k2", exp)));
        // the origin never sees the signature parameters
        Assert.All(origin.Requests, r => Assert.DoesNotContain("sig=", r.Path, StringComparison.Ordinal));

        // rotate: add k2 without a restart
        settings["Gateway:Signing:Keys:k2"] = K2;
        source.Replace(settings);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(gw, Sign("/hls/news/live/seg1.ts", Convert.FromBase64String(K2), "k2", exp))).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(gw, Sign("/hls/news/live/seg1.ts", k1, "k1", exp))).Status);

        // retire k1
        settings.Remove("Gateway:Signing:Keys:k1");
        source.Replace(settings);
        Assert.Equal((HttpStatusCode.Forbidden, "Unknown signing key"), await GetAsync(gw, Sign("/hls/news/live/seg1.ts", k1, "k1", exp)));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(gw, Sign("/hls/news/live/seg1.ts", Convert.FromBase64String(K2), "k2", exp))).Status);
    }

    [Fact]
    public async Task Optional_signing_passes_unsigned_but_rejects_bad_signatures()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", new byte[10]);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Signing:Keys:k1"] = SigningTestVectors.KeyBase64,
        });
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(gw, "/hls/news/live/seg1.ts")).Status);
        Assert.Equal((HttpStatusCode.Forbidden, "Malformed signature parameters"), await GetAsync(gw, "/hls/news/live/seg1.ts?exp=abc&kid=k1&sig=x"));
        Assert.Equal((HttpStatusCode.Forbidden, "Malformed signature parameters"), await GetAsync(gw, "/hls/news/live/seg1.ts?sig=a&sig=b&exp=1&kid=k1"));
    }
}
