using System.Net;
using HlsGateway.Access;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Access;

public sealed class SignCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(SigningTestVectors.Exp - 3600));
        var code = SignCommand.Run(args, stdout, stderr, time);
        return (code, stdout.ToString().Trim(), stderr.ToString());
    }

    [Fact]
    public void Prints_the_published_vector_for_the_same_inputs()
    {
        var (code, output, _) = Run("/hls/news/live/index.m3u8", "--base", "http://gw.example", "--Gateway:Signing:Keys:k1=" + SigningTestVectors.KeyBase64);
        Assert.Equal(0, code);
        Assert.Equal("http://gw.example/hls/news/live/index.m3u8?exp=1700000000&kid=k1&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", output);
    }

    [Fact]
    public void Acl_ip_and_ttl_are_signed_and_validate()
    {
        var (code, output, _) = Run("/hls/news/live/index.m3u8", "--ttl", "60", "--acl", "/hls/news/", "--ip", "203.0.113.7", "--kid", "k1", "--base", "",
            "--Gateway:Signing:Keys:k1=" + SigningTestVectors.KeyBase64);
        Assert.Equal(0, code);
        var options = new AccessOptions();
        options.Signing.Keys["k1"] = SigningTestVectors.KeyBase64;
        var status = SignatureValidator.Validate(output, IPAddress.Parse("203.0.113.7"), (SigningTestVectors.Exp - 3600) * 1000, new AccessSnapshot(options), false, out _);
        Assert.Equal(SignatureStatus.Valid, status);
        Assert.Contains("exp=" + (SigningTestVectors.Exp - 3600 + 60), output);
    }

    [Fact]
    public void No_key_configured_exits_2_naming_the_key()
    {
        var (code, _, err) = Run("/hls/news/live/index.m3u8");
        Assert.Equal(2, code);
        Assert.Contains("Gateway:Signing:Keys:<kid>", err);
    }

    [Fact]
    public void Unknown_kid_exits_2_naming_it()
    {
        var (code, _, err) = Run("/hls/news/a.m3u8", "--kid", "old", "--Gateway:Signing:Keys:k1=" + SigningTestVectors.KeyBase64);
        Assert.Equal(2, code);
        Assert.Contains("Gateway:Signing:Keys:old is not configured", err);
    }

    [Theory]
    [InlineData("/hls/news/../x.m3u8")]
    [InlineData("hls/news/x.m3u8")]
    [InlineData("/hls/news/x.m3u8", "--acl", "/hls/sport/")]
    [InlineData("/hls/news/x.m3u8", "--ip", "nope")]
    [InlineData("/hls/news/x.m3u8", "--ttl", "-5")]
    public void Bad_arguments_exit_2(params string[] args)
    {
        var (code, _, err) = Run([.. args, "--Gateway:Signing:Keys:k1=" + SigningTestVectors.KeyBase64]);
        Assert.Equal(2, code);
        Assert.StartsWith("sign: ", err);
    }
}
