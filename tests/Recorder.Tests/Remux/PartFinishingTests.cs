using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Remux;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Remux;

public sealed class PartFinishingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rec-fin-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (PartFinisher Finisher, RecordingJournal Journal, List<RecorderEventArgs> Events, RecorderEventBus Bus) Setup(RemuxMode mode = RemuxMode.Mp4)
    {
        var options = Options.Create(new RecorderOptions { OutputDirectory = _root, Remux = mode, FfmpegDirectory = Path.GetDirectoryName(Tools.Ffmpeg) });
        var bus = new RecorderEventBus(NullLogger<RecorderEventBus>.Instance);
        var events = new List<RecorderEventArgs>();
        bus.Subscribe((e, _) =>
        {
            lock (events)
            {
                events.Add(e);
            }
            return ValueTask.CompletedTask;
        });
        var finisher = new PartFinisher(options, new FfmpegRemuxer(options), bus, new FakeTimeProvider(), NullLogger<PartFinisher>.Instance);
        return (finisher, RecordingJournal.LoadOrCreate(_root, "news", "x"), events, bus);
    }

    private PartInfo AddPart(RecordingJournal journal, byte[] content, PartState state, long bytes, double seconds, int number = 1)
    {
        var rel = $"news/part{number:000}.ts";
        Directory.CreateDirectory(Path.Combine(_root, "news"));
        File.WriteAllBytes(Path.Combine(_root, rel), content);
        var part = new PartInfo { Number = number, RawPath = rel, State = state, Bytes = bytes, Segments = 1, DurationSeconds = seconds };
        journal.Parts.Add(part);
        journal.Save();
        return part;
    }

    [Fact]
    public async Task A_part_that_cannot_be_remuxed_keeps_its_raw_file_and_is_reported()
    {
        var (finisher, journal, events, bus) = Setup();
        AddPart(journal, System.Text.Encoding.ASCII.GetBytes(new string('x', 5000)), PartState.Closed, 5000, 1);
        await bus.StartAsync(CancellationToken.None);
        await finisher.FinishAsync(journal, 1, CancellationToken.None);
        var part = journal.Parts[0];
        Assert.Equal(PartState.RemuxFailed, part.State);
        Assert.NotNull(part.Error);
        Assert.True(File.Exists(Path.Combine(_root, part.RawPath)));
        Assert.Empty(Directory.GetFiles(_root, "*.mp4*", SearchOption.AllDirectories));
        await RecorderHost.WaitUntilAsync(() => { lock (events) { return events.Count >= 2; } }, TimeSpan.FromSeconds(5), "events");
        lock (events)
        {
            Assert.Contains(events, e => e is RecorderErrorEventArgs { Stage: "remux" });
            Assert.Contains(events, e => e is RecordPartEventArgs { Part.State: PartState.RemuxFailed });
        }
        await bus.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_remuxed_part_whose_duration_does_not_match_is_refused()
    {
        var (ts, _, _) = await TestMedia.GetAsync();
        var (finisher, journal, _, _) = Setup();
        AddPart(journal, ts[0], PartState.Closed, ts[0].Length, seconds: 10); // the playlist claimed 10 s, the media has 1 s
        await finisher.FinishAsync(journal, 1, CancellationToken.None);
        Assert.Equal(PartState.RemuxFailed, journal.Parts[0].State);
        Assert.Contains("ffprobe duration", journal.Parts[0].Error);
        Assert.Empty(Directory.GetFiles(_root, "*.mp4*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Recovery_truncates_open_parts_to_acknowledged_bytes_removes_partial_mp4s_and_remuxes()
    {
        var (ts, _, _) = await TestMedia.GetAsync();
        var (finisher, journal, _, _) = Setup();
        var good = ts[0].Concat(ts[1]).ToArray();
        AddPart(journal, [.. good, .. new byte[777]], PartState.Open, good.Length, 2);
        var partial = Path.Combine(_root, "news/part001" + FfmpegRemuxer.PartialSuffix);
        File.WriteAllBytes(partial, new byte[100]); // an interrupted remux: no moov
        AddPart(journal, [], PartState.Open, 0, 0, number: 2); // opened, nothing acknowledged

        var toFinish = PartRecovery.Recover(journal, _root, DateTimeOffset.UnixEpoch);
        Assert.Equal([1], toFinish);
        Assert.False(File.Exists(partial));
        Assert.Single(journal.Parts);
        Assert.Equal(good.Length, new FileInfo(Path.Combine(_root, "news/part001.ts")).Length);
        Assert.Equal(PartState.Closed, RecordingJournal.LoadOrCreate(_root, "news", "").Parts[0].State);

        await finisher.FinishAsync(journal, 1, CancellationToken.None);
        Assert.Equal(PartState.Remuxed, journal.Parts[0].State);
        Assert.InRange(await TestMedia.ProbeSecondsAsync(Path.Combine(_root, journal.Parts[0].Mp4Path!)), 1.5, 2.5);
    }

    [Fact]
    public async Task Remux_none_keeps_the_raw_part()
    {
        var (finisher, journal, _, _) = Setup(RemuxMode.None);
        AddPart(journal, new byte[188], PartState.Closed, 188, 1);
        await finisher.FinishAsync(journal, 1, CancellationToken.None);
        Assert.Equal(PartState.Kept, journal.Parts[0].State);
        Assert.True(File.Exists(Path.Combine(_root, "news/part001.ts")));
    }
}
