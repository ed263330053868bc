using System.Threading.Channels;
using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Remux;

/// <summary>
/// Finishes closed parts off the recording loop (so a long remux never delays segment fetching):
/// remux + verify (<c>Recorder:Remux=mp4</c>) or keep raw, update the sidecar, publish
/// <c>record.part</c> (and <c>error</c> on failure, keeping the raw file). A bounded queue; a part
/// that does not fit stays "closed" in the sidecar and is finished at the next start-up. A part's recorded renditions
/// go with it: audio tracks into the MP4, subtitle tracks into sidecar <c>.vtt</c> files (<see cref="WebVttSidecar"/>);
/// their raw files are deleted with the raw part.
/// </summary>
internal sealed partial class PartFinisher : BackgroundService
{
    private readonly Channel<(RecordingJournal Journal, int Part)> _queue = Channel.CreateBounded<(RecordingJournal, int)>(new BoundedChannelOptions(1024) { SingleReader = true });
    private readonly RecorderOptions _options;
    private readonly IPartRemuxer _remuxer;
    private readonly RecorderEventBus _bus;
    private readonly TimeProvider _time;
    private readonly ILogger<PartFinisher> _logger;
    private readonly string _root;
    private readonly string _ffprobe;
    private int _pending;

    public PartFinisher(IOptions<RecorderOptions> options, IPartRemuxer remuxer, RecorderEventBus bus, TimeProvider time, ILogger<PartFinisher> logger)
    {
        _options = options.Value;
        _root = Path.GetFullPath(_options.OutputDirectory);
        _ffprobe = string.IsNullOrEmpty(_options.FfmpegDirectory) ? "ffprobe" : Path.Combine(_options.FfmpegDirectory, "ffprobe");
        _remuxer = remuxer;
        _bus = bus;
        _time = time;
        _logger = logger;
    }

    /// <summary>Parts queued or being finished.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public bool Enqueue(RecordingJournal journal, int part)
    {
        Interlocked.Increment(ref _pending);
        if (_queue.Writer.TryWrite((journal, part)))
        {
            return true;
        }
        Interlocked.Decrement(ref _pending);
        Log.QueueFull(_logger, journal.Name, part);
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (journal, number) in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await FinishAsync(journal, number, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _bus.Publish(new RecorderErrorEventArgs(journal.Name, _time.GetUtcNow(), "finish", ex.Message));
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Finishes what is queued while the host allows (its shutdown timeout), then cancels the rest.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (ExecuteTask is { } running)
        {
            try
            {
                await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    internal async Task FinishAsync(RecordingJournal journal, int number, CancellationToken ct)
    {
        PartInfo? part;
        lock (journal.Sync)
        {
            part = journal.Parts.Find(p => p.Number == number);
            if (part is null || part.State != PartState.Closed)
            {
                return;
            }
        }
        var raw = Path.Combine(_root, part.RawPath);
        string? error = null;
        RemuxResult result = default;
        List<TrackInfo> tracks;
        lock (journal.Sync)
        {
            tracks = part.Tracks.Select(t => t.Clone()).ToList();
        }
        await WriteSidecarsAsync(journal, part, raw, tracks, ct).ConfigureAwait(false);
        var audio = tracks.Where(t => t.Type == Sources.RenditionSelection.Audio && t.Segments > 0 && File.Exists(Path.Combine(_root, t.RawPath)))
            .Select(t => new RemuxTrack(Path.Combine(_root, t.RawPath), t.Language, t.Name, t.IsDefault)).ToList();
        if (_options.Remux == RemuxMode.None || part.KeyUris.Count > 0)
        {
            // encrypted parts are kept as received: remuxing ciphertext is impossible without the key
            lock (journal.Sync)
            {
                part.State = PartState.Kept;
                journal.Save();
            }
        }
        else
        {
            result = File.Exists(raw)
                ? await _remuxer.RemuxAsync(raw, audio, part.DurationSeconds, ct).ConfigureAwait(false)
                : new RemuxResult(false, null, null, "raw part file is missing");
            lock (journal.Sync)
            {
                part.ProbedSeconds = result.ProbedSeconds;
                if (result.Ok)
                {
                    part.State = PartState.Remuxed;
                    part.Mp4Path = Path.GetRelativePath(_root, result.Mp4FullPath!).Replace('\\', '/');
                    part.Error = null;
                }
                else
                {
                    part.State = PartState.RemuxFailed;
                    part.Error = error = result.Error;
                }
                journal.Save();
            }
            if (result.Ok && _options.Dvr.RetentionWindow <= TimeSpan.Zero)
            {
                File.Delete(raw); // the verified MP4 replaces it (with a DVR retention window, DvrRetention deletes it later)
                DeleteTrackFiles(_root, tracks);
            }
        }
        PartInfo snapshot;
        lock (journal.Sync)
        {
            snapshot = part.Clone();
        }
        var now = _time.GetUtcNow();
        if (error is not null)
        {
            _bus.Publish(new RecorderErrorEventArgs(journal.Name, now, "remux", $"part {number}: {error}; kept {part.RawPath}"));
        }
        _bus.Publish(new RecordPartEventArgs(journal.Name, now, snapshot));
    }

    /// <summary>Subtitle tracks → <c>&lt;part&gt;.&lt;id&gt;.vtt</c> timed to the part (the raw video's start on the media clock is zero).</summary>
    private async Task WriteSidecarsAsync(RecordingJournal journal, PartInfo part, string raw, List<TrackInfo> tracks, CancellationToken ct)
    {
        double? videoStart = null;
        var probed = false;
        foreach (var track in tracks.Where(t => t.Type == Sources.RenditionSelection.Subtitles && t.Segments > 0))
        {
            var source = Path.Combine(_root, track.RawPath);
            if (!File.Exists(source))
            {
                continue;
            }
            if (!probed && File.Exists(raw))
            {
                probed = true;
                (videoStart, _) = await NicedStart.RunAsync(_options.FfmpegNice, () => DurationProbe.ProbeStartAsync(_ffprobe, raw, ct)).ConfigureAwait(false);
            }
            var relative = Path.ChangeExtension(part.RawPath, null) + "." + track.Id + ".vtt";
            var cues = await WebVttSidecar.WriteAsync(source, Path.Combine(_root, relative), videoStart, part.DurationSeconds, ct).ConfigureAwait(false);
            Log.SidecarWritten(_logger, journal.Name, part.Number, relative, cues);
            lock (journal.Sync)
            {
                if (part.Tracks.Find(t => t.Id == track.Id) is { } live)
                {
                    live.SidecarPath = relative;
                }
                journal.Save();
            }
        }
    }

    /// <summary>The raw rendition files of a part (audio muxed into the MP4, WebVTT segments turned into the sidecar).</summary>
    internal static void DeleteTrackFiles(string root, IEnumerable<TrackInfo> tracks)
    {
        foreach (var track in tracks)
        {
            if (Storage.OutputPathGuard.TryResolve(root, track.RawPath, out var full) && File.Exists(full))
            {
                File.Delete(full);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8300, EventName = "SubtitleSidecarWritten", Level = LogLevel.Debug, Message = "Recording {Recording}: part {Part} subtitles written to {Path} ({Cues} cues).")]
        public static partial void SidecarWritten(ILogger logger, string recording, int part, string path, int cues);

        [LoggerMessage(EventId = 6030, EventName = "FinishQueueFull", Level = LogLevel.Warning, Message = "Remux queue full; part {Part} of {Recording} stays closed and is finished at the next start.")]
        public static partial void QueueFull(ILogger logger, string recording, int part);
    }
}
