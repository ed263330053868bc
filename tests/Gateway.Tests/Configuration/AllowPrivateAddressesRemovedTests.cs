using HlsGateway.Tests.Common;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Configuration;

/// <summary><c>Gateway:OriginSettings:&lt;name&gt;:AllowPrivateAddresses</c> was never read: it is removed, and setting it stops start-up naming the key.</summary>
public sealed class AllowPrivateAddressesRemovedTests
{
    [Fact]
    public void Setting_it_stops_start_up_naming_the_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--Gateway:Origins:news=http://127.0.0.1:1/",
            "--Gateway:OriginSettings:news:AllowPrivateAddresses=false",
        ]));
        Assert.Contains(ex.Failures, f => f.StartsWith("Gateway:OriginSettings:news:AllowPrivateAddresses: removed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Loopback_origins_keep_working_without_it()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", new byte[5]);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:OriginSettings:news:Http2PriorKnowledge"] = "false",
        });
        using var response = await gw.Client.GetAsync("/hls/news/live/seg1.ts");
        Assert.Equal(200, (int)response.StatusCode);
    }
}
