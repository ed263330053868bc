using HlsGateway.Monitor.Metrics;
using HlsGateway.Monitor.Stats;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Stats;

public sealed class RequestWindowTests
{
    [Fact]
    public void Summary_CountsCompleteSecondsOnly_AndComputesRatesAndHitRatio()
    {
        var time = new FakeTimeProvider();
        var window = new RequestWindow(time);
        for (var i = 0; i < 30; i++)
        {
            window.RecordRequest(RouteKind.Segment, i < 24 ? CacheResult.Hit : CacheResult.Miss, 0.002, 1000);
        }
        window.RecordRequest(RouteKind.MediaPlaylist, CacheResult.None, 0.05, 100); // a problem response: no cache lookup
        window.RecordBytesIn(6000);

        Assert.Equal(0, window.Summarize().Requests); // the current second is still filling

        time.Advance(TimeSpan.FromSeconds(1));
        var s = window.Summarize();
        Assert.Equal(1, s.Seconds);
        Assert.Equal(31, s.Requests);
        Assert.Equal(31, s.RequestsPerSecond);
        Assert.Equal(24.0 / 30, s.HitRatio);
        Assert.Equal(30_100, s.BytesOutPerSecond);
        Assert.Equal(6000, s.BytesInPerSecond);
        Assert.Equal(30, s.Count((int)RouteKind.Segment));
        Assert.Equal(0.002, s.Quantile((int)RouteKind.Segment, 0.99)!.Value, 0.002 * 0.13);
        Assert.Equal(0.05, s.Quantile((int)RouteKind.MediaPlaylist, 0.5)!.Value, 0.05 * 0.13);
        Assert.Null(s.Quantile((int)RouteKind.MasterPlaylist, 0.5));
    }

    [Fact]
    public void Serving_load_is_the_last_complete_second_and_drops_to_zero_when_idle()
    {
        var time = new FakeTimeProvider();
        var window = new RequestWindow(time);
        IServingLoad load = window;
        Assert.Equal(0, load.RequestsPerSecond); // no complete second yet
        for (var i = 0; i < 70; i++)
        {
            window.RecordRequest(RouteKind.Segment, CacheResult.Hit, 0.001, 1000);
        }
        Assert.Equal(0, load.RequestsPerSecond); // still the current second
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(70, load.RequestsPerSecond);
        window.RecordRequest(RouteKind.Segment, CacheResult.Hit, 0.001, 1000);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, load.RequestsPerSecond);
        time.Advance(TimeSpan.FromSeconds(3)); // idle seconds: nothing recorded in the last one
        Assert.Equal(0, load.RequestsPerSecond);
    }

    [Fact]
    public void Summary_SlidesOverOneMinute_AndForgetsOlderSeconds()
    {
        var time = new FakeTimeProvider();
        var window = new RequestWindow(time);
        for (var second = 0; second < 90; second++)
        {
            for (var i = 0; i < 10; i++)
            {
                window.RecordRequest(RouteKind.Segment, CacheResult.Hit, 0.001, 0);
            }
            window.RecordRedis(0.0005);
            time.Advance(TimeSpan.FromSeconds(1));
        }
        var s = window.Summarize();
        Assert.Equal(60, s.Seconds);
        Assert.Equal(600, s.Requests);
        Assert.Equal(10, s.RequestsPerSecond);
        Assert.Equal(60, s.Count(LatencySeries.Redis));

        // an idle minute empties the window (slots from an older lap are not counted)
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(0, window.Summarize().Requests);
        Assert.Null(window.Summarize().HitRatio);
    }

    [Fact]
    public async Task Recording_FromManyThreads_LosesNothingWithinASecond()
    {
        var time = new FakeTimeProvider();
        var window = new RequestWindow(time);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                window.RecordRequest(RouteKind.Segment, CacheResult.Hit, 0.001, 10);
            }
        })));
        time.Advance(TimeSpan.FromSeconds(1));
        var s = window.Summarize();
        Assert.Equal(40_000, s.Requests);
        Assert.Equal(400_000, s.BytesOut);
        Assert.Equal(40_000, s.Count((int)RouteKind.Segment));
    }
}
