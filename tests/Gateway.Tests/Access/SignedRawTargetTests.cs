using System.Net;
using HlsGateway.Access;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Access;

/// <summary>
/// docs/signing.md: the raw request target is what is signed, byte for byte; the origin URL is built from it by
/// System.Uri, which decodes percent-encoded unreserved characters (%61 -> a) and keeps other escapes (%20).
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
    public async Task Percent_encoded_unreserved_is_signed_as_sent_and_reaches_the_origin_decoded()
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

        // a signature for the decoded spelling does not cover the encoded one
        var forDecoded = Sign("/hls/news/a.ts");
        using var other = await GetRawAsync(gw, "/hls/news/%61.ts" + forDecoded[forDecoded.IndexOf('?')..]);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
    }
}
