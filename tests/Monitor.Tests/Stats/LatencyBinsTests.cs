using HlsGateway.Monitor.Stats;

namespace HlsGateway.Tests.Stats;

public sealed class LatencyBinsTests
{
    [Theory]
    [InlineData(0.000001)]
    [InlineData(0.0001)]
    [InlineData(0.00123)]
    [InlineData(0.05)]
    [InlineData(0.5)]
    [InlineData(3.7)]
    [InlineData(120)]
    public void Index_PutsAValueInsideItsBin(double seconds)
    {
        var (low, high) = LatencyBins.Edges(LatencyBins.Index(seconds));
        Assert.InRange(seconds, low - 1e-9, high);
        if (low > 0)
        {
            Assert.True((high - low) / low <= 0.25 + 1e-9, "bins are at most 25% wide");
        }
    }

    [Fact]
    public void Index_IsMonotonic_AndClampsOutOfRangeValues()
    {
        var last = 0;
        for (var us = 1.0; us < 1e10; us *= 1.07)
        {
            var i = LatencyBins.Index(us / 1e6);
            Assert.True(i >= last);
            last = i;
        }
        Assert.Equal(0, LatencyBins.Index(-1));
        Assert.Equal(0, LatencyBins.Index(double.NaN));
        Assert.Equal(LatencyBins.Count - 1, LatencyBins.Index(double.PositiveInfinity));
    }

    [Fact]
    public void Quantile_OfKnownSamples_IsWithinTheBinError()
    {
        var counts = new long[LatencyBins.Count];
        // 1..1000 ms, one sample each
        for (var ms = 1; ms <= 1000; ms++)
        {
            counts[LatencyBins.Index(ms / 1000.0)]++;
        }
        Assert.Equal(0.5, LatencyBins.Quantile(counts, 1000, 0.5)!.Value, 0.5 * 0.13);
        Assert.Equal(0.95, LatencyBins.Quantile(counts, 1000, 0.95)!.Value, 0.95 * 0.13);
        Assert.Equal(0.99, LatencyBins.Quantile(counts, 1000, 0.99)!.Value, 0.99 * 0.13);
        Assert.Null(LatencyBins.Quantile(new long[LatencyBins.Count], 0, 0.5));
    }
}
