using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Tests.Support;

namespace HlsGateway.Tests.Dvr;

/// <summary><c>Recorder:Dvr:RetentionWindow</c>: raw parts stay next to their verified MP4 for the window, then the sweep deletes them (the MP4 stays).</summary>
public sealed class DvrRetentionTests : LiveOriginTest
{
    public DvrRetentionTests()
        : base("rec-dvr-ret-")
    {
    }

    [Fact]
    public async Task Raw_parts_are_kept_for_the_retention_window_after_the_remux_then_deleted()
    {
        await using var host = await RecorderHost.StartAsync(OutputDirectory, new Dictionary<string, string?>
        {
            ["Recorder:BaseUrl"] = Origin.Origin.BaseUrl,
            ["Recorder:Dvr:RetentionWindow"] = "00:00:03",
        });
        var (result, errors) = await host.Manager.StartRecordingAsync(new RecordingDefinition { Name = "news", Url = Origin.PlaylistPath }, CancellationToken.None);
        Assert.True(result == StartRecordingResult.Started, string.Join("; ", errors));
        await RecorderHost.WaitUntilAsync(() => host.Manager.Get("news")?.LastMediaSequence == 3, TimeSpan.FromSeconds(20), "first segment");
        Origin.Append(4, 4);
        await RecorderHost.WaitUntilAsync(() => host.Manager.Get("news")?.LastMediaSequence == 4, TimeSpan.FromSeconds(20), "second segment");
        Assert.True(await host.Manager.StopRecordingAsync("news"));
        var done = await host.WaitForEventAsync<RecordPartEventArgs>(e => e.Part.Number == 1, TimeSpan.FromSeconds(30));
        Assert.Equal(PartState.Remuxed, done.Part.State);
        var raw = Path.Combine(OutputDirectory, done.Part.RawPath);
        var mp4 = Path.Combine(OutputDirectory, done.Part.Mp4Path!);
        Assert.True(File.Exists(raw), "raw part deleted right after the remux despite the retention window");
        Assert.True(done.Part.EndUtc is not null);
        await RecorderHost.WaitUntilAsync(() => !File.Exists(raw), TimeSpan.FromSeconds(20), "the raw part to pass the window and be swept");
        Assert.True(DateTimeOffset.UtcNow - done.Part.EndUtc!.Value >= TimeSpan.FromSeconds(3), "swept before the window passed");
        Assert.True(File.Exists(mp4));
        await TestMedia.AssertDecodesAsync(mp4);
    }
}
