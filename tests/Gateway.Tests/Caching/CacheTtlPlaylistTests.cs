using System.Text;
using HlsGateway.Caching;
using HlsGateway.Hls;
using HlsGateway.Configuration;
using HlsGateway.Monitor.Metrics;

namespace HlsGateway.Tests.Caching;

public sealed class CacheTtlPlaylistTests
{
    private const string Live = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:42\n#EXTINF:6.0,\nseg42.ts\n";
    private const string Vod = "#EXTM3U\r\n#EXT-X-TARGETDURATION:4\r\n#EXTINF:4.0,\r\na.ts\r\n#EXT-X-ENDLIST\r\n";
    private const string Master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nlow/index.m3u8\n";

    [Fact]
    public void Reads_live_vod_and_master()
    {
        var live = PlaylistInspector.Inspect(Encoding.UTF8.GetBytes(Live));
        Assert.True(live.IsValid);
        Assert.False(live.IsMaster);
        Assert.False(live.IsEndList);
        Assert.Equal(6, live.TargetDurationSeconds);
        Assert.Equal(42, live.MediaSequence);

        var vod = PlaylistInspector.Inspect(Encoding.UTF8.GetBytes(Vod));
        Assert.True(vod.IsEndList);
        Assert.Equal(4, vod.TargetDurationSeconds);

        Assert.True(PlaylistInspector.Inspect(Encoding.UTF8.GetBytes(Master)).IsMaster);
        Assert.False(PlaylistInspector.Inspect("garbage\n#EXTM3U"u8).IsValid);
        Assert.True(PlaylistInspector.Inspect(Encoding.UTF8.GetBytes("\uFEFF" + Live)).IsValid);
    }

    [Fact]
    public void Live_ttl_is_a_fraction_of_target_duration_and_never_longer()
    {
        var options = new CacheOptions();
        var live = PlaylistInspector.Inspect(Encoding.UTF8.GetBytes(Live));
        Assert.Equal(TimeSpan.FromSeconds(3), CacheTtlPolicy.FreshFor(200, RouteKind.MediaPlaylist, live, options));

        options.LivePlaylistFraction = 5; // misconfigured: still capped at the target duration
        Assert.Equal(TimeSpan.FromSeconds(6), CacheTtlPolicy.FreshFor(200, RouteKind.MediaPlaylist, live, options));

        var vod = PlaylistInspector.Inspect(Encoding.UTF8.GetBytes(Vod));
        Assert.Equal(options.VodPlaylistTtl, CacheTtlPolicy.FreshFor(200, RouteKind.MediaPlaylist, vod, options));
        Assert.Equal(options.MasterPlaylistTtl, CacheTtlPolicy.FreshFor(200, RouteKind.MasterPlaylist, default, options));
        Assert.Equal(options.SegmentTtl, CacheTtlPolicy.FreshFor(200, RouteKind.Segment, default, options));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(403)]
    [InlineData(410)]
    public void Errors_are_never_cached(int status)
    {
        Assert.Equal(TimeSpan.Zero, CacheTtlPolicy.FreshFor(status, RouteKind.Segment, default, new CacheOptions()));
        Assert.Equal(TimeSpan.Zero, CacheTtlPolicy.FreshFor(status, RouteKind.MediaPlaylist, default, new CacheOptions()));
    }

    [Fact]
    public void Not_found_is_cached_at_most_one_second_and_only_for_segments()
    {
        var options = new CacheOptions();
        Assert.True(CacheTtlPolicy.FreshFor(404, RouteKind.Segment, default, options) <= TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, CacheTtlPolicy.FreshFor(404, RouteKind.MediaPlaylist, default, options));
    }

    [Fact]
    public void Entry_round_trips_through_the_shared_format()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var entry = new CacheEntry(200, RouteKind.Segment, now, now.AddSeconds(10), "video/mp2t", "\"abc\"", "Tue, 01 Jan 2030 00:00:00 GMT", [1, 2, 3, 4]);
        var copy = CacheEntry.TryDeserialize(entry.Serialize());
        Assert.NotNull(copy);
        Assert.Equal(entry.StatusCode, copy.StatusCode);
        Assert.Equal(entry.Kind, copy.Kind);
        Assert.Equal(entry.Created, copy.Created);
        Assert.Equal(entry.FreshUntil, copy.FreshUntil);
        Assert.Equal(entry.ContentType, copy.ContentType);
        Assert.Equal(entry.ETag, copy.ETag);
        Assert.Equal(entry.LastModified, copy.LastModified);
        Assert.Equal(entry.Body, copy.Body);
        Assert.Null(CacheEntry.TryDeserialize([1, 2, 3]));
        Assert.Null(CacheEntry.TryDeserialize(null));
    }
}
