using HlsGateway.Proxy;

namespace HlsGateway.Tests.Proxy;

public sealed class CacheHeadersTests
{
    [Theory]
    [InlineData(0, "public, max-age=0", "private, max-age=0")]
    [InlineData(3, "public, max-age=3", "private, max-age=3")]
    [InlineData(3600, "public, max-age=3600", "private, max-age=3600")]
    [InlineData(99999, "public, max-age=3600", "private, max-age=3600")]
    public void Shared_lifetimes_become_private_with_the_same_max_age(int seconds, string shared, string @private)
    {
        var value = CacheHeaders.CacheControl(TimeSpan.FromSeconds(seconds));
        Assert.Equal(shared, value.ToString());
        var made = CacheHeaders.MakePrivate(value);
        Assert.Equal(@private, made.ToString());
        Assert.Same(made.ToString(), CacheHeaders.MakePrivate(value).ToString()); // pre-built: no string per response
    }

    [Fact]
    public void Anything_else_is_kept() => Assert.Equal("no-cache", CacheHeaders.MakePrivate(CacheHeaders.NoCache).ToString());
}
