using HlsGateway.Proxy;

namespace HlsGateway.Tests.Proxy;

/// <summary>
/// How big each awaited write of a cached body is. Cleartext HTTP/1.x takes half of Kestrel:Limits:MaxResponseBufferSize
/// so the transport sends one chunk while the next is copied (the A/B is in benchmarks/README.md); TLS and HTTP/2
/// take the whole limit. Either way a stalled reader holds about two chunks (SlowReaderMemoryTests).
/// </summary>
public sealed class WriteChunkTests
{
    [Theory]
    [InlineData(false, "HTTP/1.1", 32 * 1024)]
    [InlineData(false, "HTTP/1.0", 32 * 1024)]
    [InlineData(true, "HTTP/1.1", 64 * 1024)]
    [InlineData(false, "HTTP/2", 64 * 1024)]
    [InlineData(true, "HTTP/2", 64 * 1024)]
    [InlineData(true, "HTTP/3", 64 * 1024)]
    public void Cleartext_http1_writes_half_the_response_buffer_limit_and_the_rest_all_of_it(bool https, string protocol, int expected) =>
        Assert.Equal(expected, HlsProxyMiddleware.WriteChunk(64 * 1024, https, protocol));

    [Fact]
    public void A_small_limit_never_makes_chunks_below_one_small_block() =>
        Assert.Equal(4096, HlsProxyMiddleware.WriteChunk(4096, https: false, "HTTP/1.1"));
}
