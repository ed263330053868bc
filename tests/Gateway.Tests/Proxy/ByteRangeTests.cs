using HlsGateway.Proxy;

namespace HlsGateway.Tests.Proxy;

public sealed class ByteRangeTests
{
    [Theory]
    [InlineData("bytes=0-9", 100, "Satisfiable", 0, 10)]
    [InlineData("bytes=90-", 100, "Satisfiable", 90, 10)]
    [InlineData("bytes=90-200", 100, "Satisfiable", 90, 10)]
    [InlineData("bytes=-5", 100, "Satisfiable", 95, 5)]
    [InlineData("bytes=-500", 100, "Satisfiable", 0, 100)]
    [InlineData("bytes=100-", 100, "Unsatisfiable", 0, 0)]
    [InlineData("bytes=-0", 100, "Unsatisfiable", 0, 0)]
    [InlineData("bytes=0-1,5-6", 100, "Ignore", 0, 0)]
    [InlineData("bytes=9-1", 100, "Ignore", 0, 0)]
    [InlineData("items=0-1", 100, "Ignore", 0, 0)]
    [InlineData("bytes=x-1", 100, "Ignore", 0, 0)]
    public void Parses_single_ranges(string header, long length, string expectedName, long from, long count)
    {
        var expected = Enum.Parse<ByteRangeResult>(expectedName);
        var result = ByteRange.TryParse(header, length, out var f, out var c);
        Assert.Equal(expected, result);
        if (expected == ByteRangeResult.Satisfiable)
        {
            Assert.Equal(from, f);
            Assert.Equal(count, c);
        }
    }
}
