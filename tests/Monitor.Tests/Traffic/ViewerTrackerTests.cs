using System.Net;
using HlsGateway.Monitor;
using HlsGateway.Monitor.Traffic;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Traffic;

public sealed class ViewerTrackerTests
{
    private static IPAddress Ip(int i) => new([10, 0, (byte)(i >> 8), (byte)i]);

    [Fact]
    public void Top_CountsDistinctClientsPerPlaylist_WithinTheWindow()
    {
        var time = new FakeTimeProvider();
        var tracker = new ViewerTracker(time, Options.Create(new MonitorOptions()));
        for (var i = 0; i < 5; i++)
        {
            tracker.Seen("news/live/index.m3u8", Ip(i));
            tracker.Seen("news/live/index.m3u8", Ip(i)); // the same client polling again
        }
        tracker.Seen("sport/a.m3u8", Ip(1));
        tracker.Seen("sport/a.m3u8", Ip(2));

        var top = tracker.Top(10);
        Assert.Equal(["news/live/index.m3u8", "sport/a.m3u8"], top.Select(t => t.Stream));
        Assert.Equal([5, 2], top.Select(t => t.Viewers));
        Assert.Equal("news", top[0].Origin);
        Assert.Single(tracker.Top(1));

        time.Advance(TimeSpan.FromSeconds(20));
        tracker.Seen("sport/a.m3u8", Ip(1));
        time.Advance(TimeSpan.FromSeconds(15)); // 35 s after the first fetches: only the refreshed viewer is left
        var later = tracker.Top(10);
        Assert.Equal("sport/a.m3u8", Assert.Single(later).Stream);
        Assert.Equal(1, later[0].Viewers);
        Assert.Equal(1, tracker.Tracked); // idle playlists are dropped
    }

    [Fact]
    public void Tracker_IsBoundedInPlaylistsAndViewers()
    {
        var time = new FakeTimeProvider();
        var tracker = new ViewerTracker(time, Options.Create(new MonitorOptions { MaxTrackedStreams = 3, MaxViewersPerStream = 4 }));
        for (var i = 0; i < 1000; i++)
        {
            tracker.Seen($"o/flood{i}.m3u8", Ip(i));
        }
        Assert.Equal(3, tracker.Tracked);
        Assert.Equal(997, tracker.Dropped);
        for (var i = 0; i < 100; i++)
        {
            tracker.Seen("o/flood0.m3u8", Ip(i));
        }
        Assert.Equal(4, tracker.Top(1)[0].Viewers);
    }
}
