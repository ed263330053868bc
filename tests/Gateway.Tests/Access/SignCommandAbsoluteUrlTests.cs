using HlsGateway.Access;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Access;

/// <summary><c>sign</c> prints an absolute URL: --base, else Gateway:PublicBaseUrl, else where the gateway listens.</summary>
public sealed class SignCommandAbsoluteUrlTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = SignCommand.Run([.. args, "--Gateway:Signing:Keys:k1=" + SigningTestVectors.KeyBase64], stdout, stderr, TimeProvider.System);
        return (code, stdout.ToString().Trim(), stderr.ToString());
    }

    [Fact]
    public async Task The_printed_url_with_the_listening_address_plays_from_the_running_gateway()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", new byte[77]);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Signing:Required"] = "true",
            ["Gateway:Signing:Keys:k1"] = SigningTestVectors.KeyBase64,
        });
        var (code, url, err) = Run("/hls/news/live/seg1.ts", "--urls", gw.BaseUrl.Replace("127.0.0.1", "0.0.0.0", StringComparison.Ordinal));
        Assert.True(code == 0, err);
        Assert.StartsWith(gw.BaseUrl + "/hls/news/live/seg1.ts?", url, StringComparison.Ordinal); // 0.0.0.0 made reachable
        using var client = new HttpClient(); // no BaseAddress: the URL must be absolute
        using var response = await client.GetAsync(url);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(77, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public void PublicBaseUrl_wins_over_the_listening_address()
    {
        var (code, url, err) = Run("/hls/news/a.m3u8", "--Gateway:PublicBaseUrl=https://cdn.example.com/", "--urls", "http://0.0.0.0:9000");
        Assert.True(code == 0, err);
        Assert.StartsWith("https://cdn.example.com/hls/news/a.m3u8?exp=", url, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_any_setting_the_Kestrel_endpoint_of_appsettings_is_used()
    {
        var (code, url, err) = Run("/hls/news/a.m3u8");
        Assert.True(code == 0, err);
        Assert.True(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", url);
        Assert.Equal("/hls/news/a.m3u8", uri!.AbsolutePath);
    }
}
