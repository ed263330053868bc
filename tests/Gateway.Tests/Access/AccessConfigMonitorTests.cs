using HlsGateway.Access;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Access;

public sealed class AccessConfigMonitorTests
{
    private static readonly string K2 = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void Key_rotation_applies_on_reload_and_a_bad_reload_keeps_the_last_good_keys()
    {
        var source = new MutableConfigurationSource(new Dictionary<string, string?> { ["Gateway:Signing:Keys:k1"] = SigningTestVectors.KeyBase64 });
        var config = new ConfigurationBuilder().Add(source).Build();
        using var monitor = new AccessConfigMonitor(config, NullLogger<AccessConfigMonitor>.Instance);
        var changes = 0;
        monitor.Changed += _ => changes++;
        Assert.True(monitor.Current.TryGetKey("k1", out _));

        // add k2 next to k1
        source.Replace(new Dictionary<string, string?> { ["Gateway:Signing:Keys:k1"] = SigningTestVectors.KeyBase64, ["Gateway:Signing:Keys:k2"] = K2 });
        Assert.True(monitor.Current.TryGetKey("k1", out _));
        Assert.True(monitor.Current.TryGetKey("k2", out _));

        // retire k1
        source.Replace(new Dictionary<string, string?> { ["Gateway:Signing:Keys:k2"] = K2 });
        Assert.False(monitor.Current.TryGetKey("k1", out _));
        Assert.True(monitor.Current.TryGetKey("k2", out _));
        Assert.Equal(2, changes);

        // a broken reload is rejected: k2 stays
        source.Replace(new Dictionary<string, string?> { ["Gateway:Signing:Keys:k3"] = "not base64!" });
        Assert.True(monitor.Current.TryGetKey("k2", out _));
        Assert.False(monitor.Current.TryGetKey("k3", out _));
        Assert.Equal(2, changes);
    }

    [Fact]
    public void First_load_reports_every_error_naming_its_key()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Signing:Keys:k1"] = "not base64!",
            ["Gateway:Signing:Keys:short"] = Convert.ToBase64String(new byte[8]),
            ["Gateway:Signing:ClockSkew"] = "-00:00:01",
            ["Gateway:Access:Allow:0"] = "10.0.0.0/8",
            ["Gateway:Access:Allow:1"] = "10.0.0.5/8",
            ["Gateway:Access:TrustedProxies:0"] = "garbage",
            ["Gateway:Admin:Token"] = "bad\u0001token",
            ["Gateway:RateLimits:Segment:PermitsPerSecond"] = "-1",
        }).Build();
        var ex = Assert.Throws<OptionsValidationException>(() => AccessConfigMonitor.Load(config));
        var all = string.Join("\n", ex.Failures);
        Assert.Contains("Gateway:Signing:Keys:k1: not valid base64", all);
        Assert.Contains("Gateway:Signing:Keys:short: the secret must be at least 16 bytes", all);
        Assert.Contains("Gateway:Signing:ClockSkew", all);
        Assert.Contains("Gateway:Access:Allow:1: '10.0.0.5/8' has host bits set (did you mean 10.0.0.0/8?)", all);
        Assert.Contains("Gateway:Access:TrustedProxies:0", all);
        Assert.Contains("Gateway:Admin:Token", all);
        Assert.Contains("Gateway:RateLimits:Segment:PermitsPerSecond", all);
    }

    [Fact]
    public void Required_without_keys_is_an_error()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Signing:Required"] = "true" }).Build();
        var ex = Assert.Throws<OptionsValidationException>(() => AccessConfigMonitor.Load(config));
        Assert.Contains(ex.Failures, f => f.StartsWith("Gateway:Signing:Required:", StringComparison.Ordinal) && f.Contains("Gateway:Signing:Keys:<kid>", StringComparison.Ordinal));
    }

    [Fact]
    public void Allow_list_from_one_environment_value_is_split()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Access:Allow"] = "10.0.0.0/8, 192.168.1.0/24;2001:db8::/32" }).Build();
        var snapshot = AccessConfigMonitor.Load(config);
        Assert.Equal(["10.0.0.0/8", "192.168.1.0/24", "2001:db8::/32"], snapshot.StaticCidrs.Select(c => c.ToString()));
    }
}
