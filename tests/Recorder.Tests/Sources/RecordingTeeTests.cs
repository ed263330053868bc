using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Sources;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Sources;

public class RecordingTeeTests
{
    private static RecordingTee NewTee(int capacity) => new(Options.Create(new RecorderOptions { ChannelCapacity = capacity }));

    [Fact]
    public void Nothing_is_wanted_or_queued_when_nothing_records()
    {
        using var tee = NewTee(4);
        Assert.False(tee.Wants("/hls/o1/live/seg1.ts"));
        Assert.False(tee.Offer("/hls/o1/live/seg1.ts", new byte[10]));
        Assert.Equal(0, tee.Stats.Offered);
    }

    [Fact]
    public void A_full_channel_drops_and_counts_and_never_blocks()
    {
        using var tee = NewTee(2); // background loop not started: the channel fills
        using var watch = tee.Watch("/hls/o1/live/");
        Assert.True(tee.Offer("/hls/o1/live/seg1.ts", new byte[] { 1 }));
        Assert.True(tee.Offer("/hls/o1/live/seg2.ts", new byte[] { 2 }));
        Assert.False(tee.Offer("/hls/o1/live/seg3.ts", new byte[] { 3 }));
        Assert.Equal((3L, 1L), (tee.Stats.Offered, tee.Stats.Dropped));

        Assert.True(tee.TryTake("/hls/o1/live/seg2.ts", out var body)); // drains the queue on a miss
        Assert.Equal([2], body.ToArray());
        Assert.False(tee.TryTake("/hls/o1/live/seg3.ts", out _)); // dropped: the follower fetches it itself
        Assert.False(tee.TryTake("/hls/o1/live/seg2.ts", out _)); // taken once
    }

    [Fact]
    public void Watches_are_reference_counted()
    {
        using var tee = NewTee(4);
        var a = tee.Watch("/hls/o1/a/");
        var b = tee.Watch("/hls/o1/a/");
        a.Dispose();
        a.Dispose();
        Assert.True(tee.Wants("/hls/o1/a/x.ts"));
        b.Dispose();
        Assert.False(tee.Wants("/hls/o1/a/x.ts"));
    }
}
