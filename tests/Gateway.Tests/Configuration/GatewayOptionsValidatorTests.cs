using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Configuration;

public sealed class GatewayOptionsValidatorTests
{
    [Fact]
    public void Bad_configuration_stops_startup_naming_every_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--Gateway:Origins:news=not a url",
            "--Gateway:Origins:bad name=http://127.0.0.1:1/",
            "--Gateway:Cache:LivePlaylistFraction=0",
            "--Gateway:Proxy:ConnectTimeout=00:00:00",
            "--Gateway:OriginSettings:ghost:Http2PriorKnowledge=true",
        ]));
        var all = string.Join("\n", ex.Failures);
        Assert.Contains("Gateway:Origins:news", all);
        Assert.Contains("Gateway:Origins:bad name", all);
        Assert.Contains("Gateway:Cache:LivePlaylistFraction", all);
        Assert.Contains("Gateway:Proxy:ConnectTimeout", all);
        Assert.Contains("Gateway:OriginSettings:ghost", all);
    }

    [Fact]
    public void Unconvertible_value_names_the_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build(["--urls", "http://127.0.0.1:0", "--Gateway:Cache:SizeLimitBytes=lots"]));
        Assert.Contains("Gateway:Cache:SizeLimitBytes", string.Join("\n", ex.Failures));
    }
}
