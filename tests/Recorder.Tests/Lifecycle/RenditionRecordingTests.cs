using System.Globalization;
using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Uploads;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Lifecycle;

/// <summary>
/// Issue 15.2: a master playlist whose variant is video only, with its audio in EXT-X-MEDIA renditions (one or two
/// languages) and WebVTT subtitles, recorded through the real recorder (real HTTP, real ffmpeg remux, ffprobe on the
/// output): each part's MP4 carries the video and the chosen audio renditions with their language tags, durations
/// within 1 s of each other; subtitles become a sidecar .vtt per part with the cues of that part, timed to it; a
/// segment missing from one rendition is ledgered with the rendition's name.
/// </summary>
public sealed class RenditionRecordingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _out = Directory.CreateTempSubdirectory("rec-out-").FullName;
    private RenditionLiveOrigin _origin = null!;

    public async Task InitializeAsync() => _origin = await RenditionLiveOrigin.StartAsync();

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        Directory.Delete(_out, recursive: true);
    }

    private async Task<RecorderHost> StartAsync(string audio, string? subtitles = null, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>())
        {
            ["Recorder:BaseUrl"] = _origin.Origin.BaseUrl,
            ["Recorder:Renditions:Audio"] = audio,
        };
        if (subtitles is not null)
        {
            settings["Recorder:Renditions:Subtitles"] = subtitles;
        }
        var host = await RecorderHost.StartAsync(_out, settings);
        var (result, errors) = await host.Manager.StartRecordingAsync(new RecordingDefinition { Name = "news", Url = _origin.MasterPath }, CancellationToken.None);
        Assert.True(result == StartRecordingResult.Started, string.Join("; ", errors));
        return host;
    }

    /// <summary>Seconds 0-3 listed, the recording started and at the live edge (second 3) with every rendition.</summary>
    private async Task<RecorderHost> StartAtLiveEdgeAsync(string audio, string? subtitles = null, IDictionary<string, string?>? extra = null)
    {
        for (var s = 0; s <= 3; s++)
        {
            _origin.Append(s);
        }
        var host = await StartAsync(audio, subtitles, extra);
        await RecorderHost.WaitUntilAsync(() => host.Manager.Get("news") is { LastMediaSequence: 3 } st && st.Renditions.Count > 0
            && st.Renditions.All(r => r.LastMediaSequence == 3), Wait, "live edge");
        return host;
    }

    /// <summary>Publishes seconds <paramref name="from"/>..<paramref name="to"/> one at a time, each once the video and every rendition took it.</summary>
    private async Task RecordAsync(RecorderHost host, long from, long to)
    {
        for (var s = from; s <= to; s++)
        {
            _origin.Append(s);
            await RecorderHost.WaitUntilAsync(() => host.Manager.Get("news") is { } st && st.LastMediaSequence == s
                && st.Renditions.All(r => r.LastMediaSequence == s), Wait, $"second {s} recorded with every rendition");
        }
    }

    private static async Task<RecordingStatus> StopAndFinishAsync(RecorderHost host)
    {
        Assert.True(await host.Manager.StopRecordingAsync("news"));
        var status = host.Manager.Get("news")!;
        foreach (var part in status.Parts)
        {
            await host.WaitForEventAsync<RecordPartEventArgs>(e => e.Part.Number == part.Number, Wait);
        }
        return host.Manager.Get("news")!;
    }

    private async Task<List<(string Type, double Duration, string? Language, bool Default, double Start)>> AssertMp4Async(PartInfo part, int audioStreams)
    {
        Assert.True(part.State == PartState.Remuxed, $"part {part.Number}: {part.State} {part.Error}");
        var mp4 = Path.Combine(_out, part.Mp4Path!);
        var streams = await TestMedia.ProbeStreamsAsync(mp4);
        output.WriteLine($"part {part.Number} ({part.DurationSeconds:0.000} s listed): " + string.Join(", ", streams.Select(s => $"{s.Type} {s.Start:0.000}+{s.Duration:0.000} s {s.Language}{(s.Default ? " default" : "")}")));
        var video = Assert.Single(streams, s => s.Type == "video");
        var audio = streams.Where(s => s.Type == "audio").ToList();
        Assert.Equal(audioStreams, audio.Count);
        Assert.InRange(video.Duration, part.DurationSeconds - 0.5, part.DurationSeconds + 0.5);
        foreach (var a in audio)
        {
            Assert.InRange(a.Duration, video.Duration - 1, video.Duration + 1);
            // in sync: each audio input was shifted by its start minus the video's (-itsoffset), as on the source's clock
            Assert.InRange(a.Start, video.Start - 0.1, video.Start + 0.1);
        }
        await TestMedia.AssertDecodesAsync(mp4);
        // the renditions' raw files went into the MP4 (and the sidecar) and are gone with the raw part
        foreach (var t in part.Tracks)
        {
            Assert.False(File.Exists(Path.Combine(_out, t.RawPath)), $"raw track {t.RawPath} kept after a verified remux");
        }
        return audio;
    }

    [Fact]
    public async Task All_audio_languages_are_muxed_into_the_part_with_their_language_tags_and_subtitles_become_a_sidecar()
    {
        await using var host = await StartAtLiveEdgeAsync("All");
        var renditions = host.Manager.Get("news")!.Renditions;
        Assert.Equal(["English", "Spanish", "English CC"], renditions.Select(r => r.Name));
        Assert.Equal(["audio-eng", "audio-spa", "eng"], renditions.Select(r => r.TrackId));
        await RecordAsync(host, 4, 10);
        var status = await StopAndFinishAsync(host);

        Assert.Empty(status.Gaps);
        var part = Assert.Single(status.Parts);
        Assert.Equal(3, part.FirstSequence);
        Assert.Equal(10, part.LastSequence);
        foreach (var t in part.Tracks)
        {
            Assert.Equal(3, t.FirstSequence);
            Assert.Equal(10, t.LastSequence); // in step: the renditions cover exactly the part's seconds
            Assert.Equal(8, t.Segments);
        }
        var audio = await AssertMp4Async(part, audioStreams: 2);
        Assert.Equal(["eng", "spa"], audio.Select(a => a.Language));
        Assert.Equal([true, false], audio.Select(a => a.Default)); // DEFAULT=YES stays the default track

        // subtitles: one cue per second of the part, timed from the part's start (cue n at n - first + 0.2 s)
        var subs = Assert.Single(part.Tracks, t => t.Type == "SUBTITLES");
        Assert.NotNull(subs.SidecarPath);
        Assert.EndsWith(".eng.vtt", subs.SidecarPath);
        var cues = ReadCues(Path.Combine(_out, subs.SidecarPath!));
        Assert.Equal(8, cues.Count);
        for (var i = 0; i < cues.Count; i++)
        {
            Assert.Equal($"Cue {3 + i}", cues[i].Text);
            Assert.InRange(cues[i].Start, i + 0.2 - 0.05, i + 0.2 + 0.05);
            Assert.InRange(cues[i].End, 0, part.DurationSeconds);
        }
    }

    [Fact]
    public async Task The_subtitle_sidecar_is_uploaded_with_its_part()
    {
        var target = Path.Combine(_out, "..", Path.GetFileName(_out) + "-target");
        Directory.CreateDirectory(target);
        try
        {
            await using var host = await StartAtLiveEdgeAsync("Default", extra: new Dictionary<string, string?>
            {
                ["Recorder:Upload:Target"] = "directory",
                ["Recorder:Upload:Directory"] = target,
                ["Recorder:Upload:MinFreeBytes"] = "0",
            });
            await RecordAsync(host, 4, 6);
            var status = await StopAndFinishAsync(host);
            var part = Assert.Single(status.Parts);
            var sidecar = Assert.Single(part.Tracks, t => t.Type == "SUBTITLES").SidecarPath!;
            // the MP4 and the .vtt both reach the target, as separate uploads of the same part
            var mp4 = await host.WaitForEventAsync<UploadEndEventArgs>(e => e.Path == part.Mp4Path, Wait);
            var vtt = await host.WaitForEventAsync<UploadEndEventArgs>(e => e.Path == sidecar, Wait);
            Assert.Equal(part.Number, vtt.Part);
            Assert.True(File.Exists(Path.Combine(target, sidecar)), $"{sidecar} not in the upload target");
            Assert.Equal(File.ReadAllBytes(Path.Combine(_out, sidecar)), File.ReadAllBytes(Path.Combine(target, sidecar)));
            Assert.True(File.Exists(Path.Combine(target, mp4.Path)));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public async Task Default_records_only_the_default_audio_rendition()
    {
        await using var host = await StartAtLiveEdgeAsync("Default", subtitles: "None");
        await RecordAsync(host, 4, 8);
        var status = await StopAndFinishAsync(host);

        var rendition = Assert.Single(status.Renditions);
        Assert.Equal("English", rendition.Name);
        Assert.Equal("eng", rendition.Language);
        var part = Assert.Single(status.Parts);
        Assert.Equal("audio-eng", Assert.Single(part.Tracks).Id);
        var audio = await AssertMp4Async(part, audioStreams: 1);
        Assert.Equal("eng", audio[0].Language);
        Assert.Empty(Directory.GetFiles(_out, "*.vtt", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Renditions_follow_by_program_date_time_and_split_with_the_video()
    {
        _origin.ProgramDateTime = true;
        await using var host = await StartAtLiveEdgeAsync("All", subtitles: "None");
        await RecordAsync(host, 4, 6);
        // a split requested between seconds 6 and 7: both renditions must split there too
        Assert.True(host.Manager.RequestSplit("news"));
        await RecordAsync(host, 7, 10);
        var status = await StopAndFinishAsync(host);

        Assert.Empty(status.Gaps);
        Assert.Equal([(3L, 6L), (7L, 10L)], status.Parts.Select(p => (p.FirstSequence, p.LastSequence)));
        foreach (var part in status.Parts)
        {
            Assert.Equal(2, part.Tracks.Count);
            foreach (var t in part.Tracks)
            {
                Assert.Equal(part.FirstSequence, t.FirstSequence);
                Assert.Equal(part.LastSequence, t.LastSequence);
            }
            var audio = await AssertMp4Async(part, audioStreams: 2);
            Assert.Equal(["eng", "spa"], audio.Select(a => a.Language));
        }
    }

    [Fact]
    public async Task A_segment_missing_from_one_rendition_is_ledgered_with_its_name_and_does_not_split_the_part()
    {
        await using var host = await StartAtLiveEdgeAsync("All", subtitles: "None");
        await RecordAsync(host, 4, 5);
        _origin.Append(6);
        _origin.Origin.Remove(_origin.SegmentPath("audio_spa", 6)); // listed, but 404
        await RecordAsync(host, 7, 9);
        var gap = await host.WaitForEventAsync<RecordGapEventArgs>(_ => true, Wait);
        var status = await StopAndFinishAsync(host);

        var entry = Assert.Single(status.Gaps);
        Assert.Equal(gap.Gap, entry);
        Assert.Equal("Spanish", entry.Rendition);
        Assert.Equal(GapReasons.NotFound, entry.Reason);
        Assert.Equal((6L, 6L), (entry.From, entry.To));
        var part = Assert.Single(status.Parts); // the video has no hole: one part
        var spa = Assert.Single(part.Tracks, t => t.Id == "audio-spa");
        Assert.Equal(6, spa.Segments); // 3..9 without 6
        Assert.Equal(7, Assert.Single(part.Tracks, t => t.Id == "audio-eng").Segments);
        Assert.Equal(1, Assert.Single(status.Renditions, r => r.Name == "Spanish").Gaps);
        await AssertMp4Async(part, audioStreams: 2);
    }

    [Fact]
    public async Task Live_ffmpeg_master_with_two_audio_languages_records_video_and_audio_in_step()
    {
        var media = Directory.CreateTempSubdirectory("rec-live-renditions-").FullName;
        try
        {
            await using var ffmpeg = LocalProcess.Start(Tools.Ffmpeg,
            [
                "-hide_banner", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000",
                "-t", "40", "-map", "0:v", "-map", "1:a", "-map", "2:a",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-c:a", "aac", "-ac", "2",
                "-f", "hls", "-hls_time", "1", "-hls_list_size", "6", "-hls_flags", "delete_segments+temp_file+program_date_time",
                "-master_pl_name", "master.m3u8",
                "-var_stream_map", "v:0,agroup:aud,name:video a:0,agroup:aud,language:eng,name:eng,default:yes a:1,agroup:aud,language:spa,name:spa",
                "-hls_segment_filename", Path.Combine(media, "%v", "s%03d.ts"), Path.Combine(media, "%v", "index.m3u8"),
            ], media);
            await using var origin = await DirectoryOrigin.StartAsync(media);
            await RecorderHost.WaitUntilAsync(() => File.Exists(Path.Combine(media, "master.m3u8"))
                && RenditionLiveOrigin.Names.All(n => File.Exists(Path.Combine(media, n, "index.m3u8")) && File.ReadAllText(Path.Combine(media, n, "index.m3u8")).Split("#EXTINF").Length > 2),
                Wait, "ffmpeg's master playlist and first segments: " + ffmpeg.Output);
            output.WriteLine(File.ReadAllText(Path.Combine(media, "master.m3u8")));

            await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?>
            {
                ["Recorder:BaseUrl"] = origin.BaseUrl,
                ["Recorder:Renditions:Audio"] = "All",
            });
            var (result, _) = await host.Manager.StartRecordingAsync(new RecordingDefinition { Name = "news", Url = "/master.m3u8" }, CancellationToken.None);
            Assert.Equal(StartRecordingResult.Started, result);
            await host.WaitForEventAsync<StreamStartEventArgs>(_ => true, Wait);
            await Task.Delay(TimeSpan.FromSeconds(8)); // the length of the recording, not a wait for a condition
            var status = await StopAndFinishAsync(host);

            Assert.Empty(status.Gaps);
            Assert.Equal(["eng", "spa"], status.Renditions.Select(r => r.Language));
            foreach (var part in status.Parts)
            {
                var audio = await AssertMp4Async(part, audioStreams: 2);
                Assert.Equal(["eng", "spa"], audio.Select(a => a.Language));
            }
            Assert.InRange(status.Parts.Sum(p => p.DurationSeconds), 6, 12);
        }
        finally
        {
            Directory.Delete(media, recursive: true);
        }
    }

    private static List<(double Start, double End, string Text)> ReadCues(string path)
    {
        var cues = new List<(double, double, string)>();
        var lines = File.ReadAllLines(path);
        Assert.Equal("WEBVTT", lines[0]);
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].Contains("-->", StringComparison.Ordinal))
            {
                continue;
            }
            var times = lines[i].Split("-->");
            cues.Add((Seconds(times[0].Trim()), Seconds(times[1].Trim().Split(' ')[0]), lines[i + 1]));
        }
        return cues;
    }

    private static double Seconds(string t) => TimeSpan.ParseExact(t, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture).TotalSeconds;
}
