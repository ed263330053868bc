using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Uploads;
using HlsGateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Uploads;

/// <summary>The whole recorder (AddRecorder in a real host, real ffmpeg remux) with uploads to a directory target.</summary>
public sealed class RecordingUploadTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _out = Directory.CreateTempSubdirectory("rec-upl-out-").FullName;
    private readonly string _target = Directory.CreateTempSubdirectory("rec-upl-target-").FullName;
    private SyntheticLiveOrigin _origin = null!;

    public async Task InitializeAsync() => _origin = await SyntheticLiveOrigin.StartAsync();

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        Directory.Delete(_out, recursive: true);
        Directory.Delete(_target, recursive: true);
    }

    [Fact]
    public async Task Finished_parts_are_uploaded_while_recording_continues_and_deleted_after_verification()
    {
        for (var s = 0; s <= 3; s++)
        {
            _origin.Append(s, s);
        }
        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?>
        {
            ["Recorder:BaseUrl"] = _origin.Origin.BaseUrl,
            ["Recorder:SplitSeconds"] = "2",
            ["Recorder:DeleteAfterUpload"] = "true",
            ["Recorder:Upload:Target"] = "directory",
            ["Recorder:Upload:Directory"] = _target,
            ["Recorder:Upload:MinFreeBytes"] = "0",
        });
        var (result, errors) = await host.Manager.StartRecordingAsync(new RecordingDefinition { Name = "news", Url = "/live/index.m3u8" }, CancellationToken.None);
        Assert.True(result == StartRecordingResult.Started, string.Join("; ", errors));
        var uploads = host.Services.GetRequiredService<IUploadStatusSource>();

        // part 1 closes at the split and is uploaded while the recording still runs
        for (var s = 4; s <= 7; s++)
        {
            _origin.Append(s, s);
            await RecorderHost.WaitUntilAsync(() => host.Manager.Get("news")?.LastMediaSequence == s, Wait, $"sequence {s}");
        }
        var firstEnd = await host.WaitForEventAsync<UploadEndEventArgs>(e => e.Part == 1, Wait);
        Assert.Equal(RecordingState.Recording, host.Manager.Get("news")!.State);
        Assert.True(firstEnd.LocalDeleted);

        Assert.True(await host.Manager.StopRecordingAsync("news"));
        var parts = host.Manager.Get("news")!.Parts;
        foreach (var part in parts)
        {
            var end = await host.WaitForEventAsync<UploadEndEventArgs>(e => e.Part == part.Number, Wait);
            var uploaded = Path.Combine(_target, end.Path);
            Assert.Equal(end.Sha256, UploadTestSupport.Sha256Of(uploaded));
            Assert.EndsWith(".mp4", uploaded);
            await TestMedia.AssertDecodesAsync(uploaded);
            Assert.False(File.Exists(Path.Combine(_out, end.Path)));
        }
        Assert.True(parts.Count >= 2);
        Assert.All(uploads.Snapshot(), s => Assert.Equal(UploadState.Done, s.State));
        Assert.Equal(parts.Count, uploads.Snapshot().Count);
        Assert.Contains(host.Events, e => e.Type == "upload.start");
        Assert.DoesNotContain(host.Events, e => e is UploadErrorEventArgs);
    }
}
