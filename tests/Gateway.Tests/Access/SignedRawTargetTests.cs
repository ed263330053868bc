using System.Net;
using HlsGateway.Access;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Access;

/// <summary>
/// docs/signing.md: the signature covers the normalised path (RFC 3986 6.2.2: percent-encoded unreserved characters
/// decoded, %61 -> a; other escapes such as %20 kept), as the cache key and the origin URL do: either spelling of one
/// object verifies with one signature and is one cache entry.
/// </summary>
public sealed class SignedRawTargetTests
{
    private const string KeyBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static string Sign(string path) =>
        path + "?" + UrlSignature.BuildQuery(Convert.FromBase64String(KeyBase64), "k1", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), path, null, null);

    /// <summary>System.Uri on the client side would decode %61 before sending: keep the target as written.</summary>
    private static Task<HttpResponseMessage> GetRawAsync(GatewayHost gw, string target) =>
        gw.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(gw.BaseUrl + target, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true })));

    [Fact]
    public async Task Percent_encoded_unreserved_is_decoded_before_the_signature_check_and_the_cache_key()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/a.ts", new byte[100]);
        origin.Set("/x y.ts", new byte[100]);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Signing:Keys:k1"] = KeyBase64,
            ["Gateway:Signing:Required"] = "true",
        });

        using (var ok = await GetRawAsync(gw, Sign("/hls/news/%61.ts")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        Assert.Equal("/a.ts", origin.RequestHeaders.Last().Headers[TestOrigin.RawTargetKey]);

        using (var encoded = await GetRawAsync(gw, Sign("/hls/news/x%20y.ts")))
        {
            Assert.Equal(HttpStatusCode.OK, encoded.StatusCode);
        }
        Assert.Equal("/x%20y.ts", origin.RequestHeaders.Last().Headers[TestOrigin.RawTargetKey]);

        // a signature for the decoded spelling covers the encoded one, and both are the one cache entry fetched above
        var forDecoded = Sign("/hls/news/a.ts");
        using (var other = await GetRawAsync(gw, "/hls/news/%61.ts" + forDecoded[forDecoded.IndexOf('?')..]))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            Assert.Equal("HIT", other.Headers.GetValues("X-Cache").Single());
        }
        using (var plain = await GetRawAsync(gw, forDecoded))
        {
            Assert.Equal("HIT", plain.Headers.GetValues("X-Cache").Single());
        }
        Assert.Equal(1, origin.Hits("/a.ts"));

        // a signature for another object still covers nothing else
        var forB = Sign("/hls/news/b.ts");
        using var wrong = await GetRawAsync(gw, "/hls/news/%61.ts" + forB[forB.IndexOf('?')..]);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
    }
}
