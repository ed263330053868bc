using System.Net;
using System.Text.Json;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Access;

/// <summary>The statuses docs/signing.md documents for unsafe paths: 400 without a signature check, 403 with one.</summary>
public sealed class UnsafePathStatusTests
{
    private const string Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private const string WellFormed = "?exp=9999999999&kid=k1&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    [Theory]
    [InlineData("/hls/o/a/%2e%2e/b.ts", "", false, HttpStatusCode.BadRequest, "Bad path")]
    [InlineData("/hls/o/a%2fb.ts", "", false, HttpStatusCode.BadRequest, "Bad path")]
    [InlineData("/hls/o/a/%2e%2e/b.ts", WellFormed, false, HttpStatusCode.Forbidden, "Path not canonical")]
    [InlineData("/hls/o/a//b.ts", WellFormed, false, HttpStatusCode.Forbidden, "Path not canonical")]
    [InlineData("/hls/o/a/%2e%2e/b.ts", "?exp=1&sig=x", false, HttpStatusCode.Forbidden, "Malformed signature parameters")]
    [InlineData("/hls/o/a/%2e%2e/b.ts", "", true, HttpStatusCode.Forbidden, "Signature required")]
    public async Task Unsafe_path_status(string path, string query, bool required, HttpStatusCode expected, string title)
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Signing:Keys:k1"] = Key,
            ["Gateway:Signing:Required"] = required ? "true" : "false",
        });
        // a plain Uri would remove the dot segments before sending: keep the raw target as written
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gw.BaseUrl + path + query, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        using var response = await gw.Client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(title, problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(0, origin.TotalHits);
    }
}
