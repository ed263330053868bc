using HlsGateway.Proxy;

namespace HlsGateway.Tests.Proxy;

/// <summary>
/// How big each awaited write of a cached body is. Cleartext HTTP/1.x takes half of Kestrel:Limits:MaxResponseBufferSize
/// so the transport sends one chunk while the next is copied (the A/B is in benchmarks/README.md); TLS HTTP/1.1 and
/// HTTP/3 take the whole limit; HTTP/2 takes Gateway:Hosting:Http2WriteChunk, whatever the limit. What a stalled reader
/// holds follows (SlowReaderMemoryTests).
/// </summary>
public sealed class WriteChunkTests
{
    [Theory]
    [InlineData(false, "HTTP/1.1", 32 * 1024)]
    [InlineData(false, "HTTP/1.0", 32 * 1024)]
    [InlineData(true, "HTTP/1.1", 64 * 1024)]
    [InlineData(false, "HTTP/2", 256 * 1024)]
    [InlineData(true, "HTTP/2", 256 * 1024)]
    [InlineData(true, "HTTP/3", 64 * 1024)]
    public void Cleartext_http1_writes_half_the_response_buffer_limit_http2_its_own_size_and_the_rest_the_limit(bool https, string protocol, int expected) =>
        Assert.Equal(expected, HlsProxyMiddleware.WriteChunk(64 * 1024, 256 * 1024, https, protocol));

    [Fact]
    public void A_small_limit_never_makes_chunks_below_one_small_block() =>
        Assert.Equal(4096, HlsProxyMiddleware.WriteChunk(4096, 256 * 1024, https: false, "HTTP/1.1"));

    [Theory]
    [InlineData("16383")]
    [InlineData("16777217")]
    [InlineData("0")]
    public void An_http2_write_size_out_of_range_stops_start_up_naming_the_key(string value)
    {
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => HlsGateway.GatewayApp.Build([
            "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0",
            $"--Gateway:Hosting:Http2WriteChunk={value}",
        ]));
        Assert.Contains("Gateway:Hosting:Http2WriteChunk", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }
}
