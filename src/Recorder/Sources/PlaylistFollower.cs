using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Playlists;

namespace HlsGateway.Recorder.Sources;

/// <summary>
/// Pull mode, and the driver in tee mode too: follows a live media playlist (picking a variant from
/// a master playlist), reloads it at the RFC 8216 6.3.4 cadence (target duration after a change,
/// half of it after no change), and feeds new segments in playlist order to the pipeline. Bodies
/// come from the tee buffer when the gateway already fetched them, else through
/// <see cref="HttpClient"/> (in production the gateway's loopback address, so through its cache).
/// A 404 segment becomes a gap, not a stop; stalls are reported; a playlist failure returns
/// <see cref="FollowResult.Offline"/> so the lifecycle can back off. With a master playlist the chosen variant's
/// EXT-X-MEDIA renditions (<c>Recorder:Renditions</c>) are reloaded with every reload and fed in step after each
/// written segment (<see cref="RenditionSet"/>).
/// </summary>
internal sealed class PlaylistFollower(
    HttpClient http,
    Uri playlistUrl,
    string? variant,
    RecordingSession session,
    SegmentPipeline pipeline,
    RecordingTee? tee,
    TimeProvider time,
    int stallTargetDurations,
    IFollowerObserver observer,
    RenditionOptions? renditionOptions = null)
{
    private readonly SegmentFetcher _fetcher = new(http, tee, time);
    private Uri? _mediaUrl;
    private RenditionSet? _renditions;
    private readonly InitSectionCache _init = new();
    private readonly SeenUris _seen = new(4096);
    private string? _firstMediaText; // the resolve step already loaded a media playlist: use it, don't fetch twice

    private Uri BaseUrl => _mediaUrl ?? playlistUrl;

    public Uri? MediaPlaylistUrl => _mediaUrl;

    public long ReloadCount { get; private set; }

    /// <summary>The renditions followed with the variant (empty for a media playlist or a variant without any).</summary>
    public IReadOnlyList<RenditionStatus> Renditions => _renditions?.Snapshot() ?? [];

    public async Task<FollowResult> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await FollowAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return FollowResult.Cancelled;
        }
    }

    private async Task<FollowResult> FollowAsync(CancellationToken ct)
    {
        _mediaUrl ??= await ResolveMediaUrlAsync(ct).ConfigureAwait(false);
        if (_mediaUrl is null)
        {
            return FollowResult.Offline;
        }
        var directory = SegmentFetcher.DirectoryOf(_mediaUrl.AbsolutePath);
        using var watch = tee?.Watch(directory);
        using var renditionWatch = _renditions?.Watch(tee, directory);
        var lastProgress = time.GetTimestamp();
        var stalled = false;
        long lastNewest = long.MinValue;
        while (true)
        {
            var started = time.GetTimestamp();
            var fetched = _firstMediaText is not null ? new FetchResult(200, [], null) : await _fetcher.FetchAsync(_mediaUrl, null, ct).ConfigureAwait(false);
            var text = _firstMediaText ?? (fetched.Ok ? System.Text.Encoding.UTF8.GetString(fetched.Body!) : string.Empty);
            _firstMediaText = null;
            ReloadCount++;
            if (!fetched.Ok || !PlaylistParser.TryParseMedia(text, out var playlist))
            {
                observer.Problem(fetched.Ok ? "media playlist is not a valid playlist" : $"media playlist: {fetched.Error}");
                _mediaUrl = null; // re-resolve the variant after an outage
                return FollowResult.Offline;
            }
            var target = TimeSpan.FromSeconds(playlist.TargetDuration > 0 ? playlist.TargetDuration : 6);
            var written = await ProcessAsync(playlist, ct).ConfigureAwait(false);
            if (written > 0)
            {
                lastProgress = time.GetTimestamp();
                stalled = false;
                observer.Live();
            }
            if (playlist.EndList)
            {
                return FollowResult.Ended;
            }
            var sinceProgress = time.GetElapsedTime(lastProgress);
            if (!stalled && sinceProgress >= target * stallTargetDurations)
            {
                stalled = true;
                observer.Stalled(sinceProgress);
            }
            var changed = playlist.LastMediaSequence != lastNewest;
            lastNewest = playlist.LastMediaSequence;
            var wait = (changed ? target : target / 2) - time.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One last reload on a graceful stop, so the recording ends with every segment listed at the
    /// moment of the stop rather than at the previous reload (up to a target duration earlier).
    /// </summary>
    public async Task CatchUpAsync(CancellationToken ct)
    {
        if (_mediaUrl is null)
        {
            return;
        }
        var fetched = await _fetcher.FetchAsync(_mediaUrl, null, ct).ConfigureAwait(false);
        if (fetched.Ok && PlaylistParser.TryParseMedia(System.Text.Encoding.UTF8.GetString(fetched.Body!), out var playlist))
        {
            await ProcessAsync(playlist, ct).ConfigureAwait(false);
            if (_renditions is not null)
            {
                // the caller allows a few seconds for the whole stop: at most three short waits
                var interval = TimeSpan.FromSeconds(Math.Min(1, (playlist.TargetDuration > 0 ? playlist.TargetDuration : 2) / 2));
                await _renditions.CatchUpAsync(session, interval, time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Feeds the segments newer than the last recorded one; returns how many were written.</summary>
    internal async Task<int> ProcessAsync(MediaPlaylist playlist, CancellationToken ct)
    {
        var segments = playlist.Segments;
        if (segments.Count == 0)
        {
            return 0;
        }
        var last = session.LastKey;
        if (last is { } l && l.Epoch == session.Epoch ? DetectReset(playlist, l) : Remember(playlist))
        {
            session.BeginNewEpoch();
            _renditions?.Reset();
            last = session.LastKey;
        }
        if (_renditions is { } renditions)
        {
            await renditions.ReloadAsync(ct).ConfigureAwait(false);
            await renditions.FeedAsync(session, ct).ConfigureAwait(false); // what lagged behind the video at the last reload, into the part it belongs to
        }
        var walls = SegmentFetcher.Walls(playlist);
        var epoch = session.Epoch;
        var start = 0;
        if (last is null && !playlist.EndList)
        {
            start = segments.Count - 1; // a new live recording starts at the live edge, not the window's past
        }
        var written = 0;
        for (var i = start; i < segments.Count; i++)
        {
            var s = segments[i];
            var key = new SequenceKey(epoch, s.DiscontinuitySequence, s.MediaSequence);
            if (last is { } k && k.Epoch == epoch && s.MediaSequence <= k.Media)
            {
                continue; // already recorded (or recorded as a gap)
            }
            var data = await LoadAsync(s, key, playlist.TargetDuration, walls[i], ct).ConfigureAwait(false);
            if (await pipeline.ProcessAsync(session, data, ct).ConfigureAwait(false) == SegmentOutcome.Written)
            {
                written++;
                if (_renditions is not null)
                {
                    await _renditions.FeedAsync(session, ct).ConfigureAwait(false); // before the next segment may close this part
                }
            }
        }
        return written;
    }

    /// <summary>
    /// A window ending below what was already recorded is a new epoch (encoder restart) only with a
    /// discontinuity signal: a higher discontinuity sequence than the last recorded segment's, an
    /// EXT-X-DISCONTINUITY on a segment never listed before, or a window that lies wholly more than a
    /// window length below with URIs never listed before. Anything else is a lagging (cached, load-
    /// balanced) copy of the playlist (RFC 8216 6.2.2 forbids the regression): its segments are
    /// skipped, however often or however many times in a row it is served.
    /// </summary>
    private bool DetectReset(MediaPlaylist playlist, SequenceKey last)
    {
        var segments = playlist.Segments;
        var reset = false;
        if (playlist.LastMediaSequence < last.Media)
        {
            if (segments[^1].DiscontinuitySequence > last.Discontinuity)
            {
                reset = true;
            }
            else
            {
                var anySeen = false;
                var newDiscontinuity = false;
                foreach (var s in segments)
                {
                    var seen = _seen.Contains(s.Uri);
                    anySeen |= seen;
                    newDiscontinuity |= s.Discontinuity && !seen;
                }
                reset = newDiscontinuity || (!anySeen && playlist.LastMediaSequence + segments.Count < last.Media);
            }
        }
        foreach (var s in segments)
        {
            _seen.Add(s.Uri);
        }
        return reset;
    }

    private bool Remember(MediaPlaylist playlist)
    {
        foreach (var s in playlist.Segments)
        {
            _seen.Add(s.Uri);
        }
        return false;
    }

    private async Task<SegmentData> LoadAsync(MediaSegment s, SequenceKey key, double targetDuration, DateTimeOffset? wall, CancellationToken ct)
    {
        var load = await _fetcher.LoadAsync(BaseUrl, s, _init, ct).ConfigureAwait(false);
        if (load.Error is not null)
        {
            observer.Problem($"segment {key}: {load.Error}");
        }
        return load.ToData(key, s, targetDuration, wall);
    }

    private async Task<Uri?> ResolveMediaUrlAsync(CancellationToken ct)
    {
        var fetched = await _fetcher.FetchAsync(playlistUrl, null, ct).ConfigureAwait(false);
        if (!fetched.Ok)
        {
            observer.Problem($"playlist: {fetched.Error}");
            return null;
        }
        var text = System.Text.Encoding.UTF8.GetString(fetched.Body!);
        switch (PlaylistParser.Detect(text))
        {
            case PlaylistKind.Media:
                _firstMediaText = text;
                return playlistUrl;
            case PlaylistKind.Master when PlaylistParser.TryParseMaster(text, out var master) && master.Select(variant) is { } chosen:
                if (_renditions is null && renditionOptions is not null)
                {
                    _renditions = RenditionSet.Create(master, chosen, playlistUrl, renditionOptions, _fetcher, observer);
                }
                return new Uri(playlistUrl, chosen.Uri);
            default:
                observer.Problem("not an HLS playlist");
                return null;
        }
    }
}
