using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Playlists;

namespace HlsGateway.Recorder.Sources;

/// <summary>
/// Follows one EXT-X-MEDIA rendition (an audio language, a subtitle language) in step with the variant: the variant's
/// follower reloads it with every reload of its own playlist and, after each video segment it writes, feeds the
/// rendition segments that lie before the video's edge (<see cref="RecordingSession.Edge"/>) into the open part's
/// track file. A segment whose time lies before the open part belongs to no part (before the recording, or in a video
/// gap, already ledgered) unless it falls in the part closed last: then it came too late and is ledgered as
/// <see cref="GapReasons.Late"/>. A 404, failed fetches or sequences the window moved past are ledgered with
/// the rendition's name, like video gaps, but do not split the part.
/// </summary>
internal sealed class RenditionFollower(SegmentFetcher fetcher, Rendition rendition, Uri playlistUrl, TrackSpec track, IFollowerObserver observer)
{
    private MediaPlaylist? _playlist;
    private DateTimeOffset?[] _walls = [];
    private long? _last;
    private readonly InitSectionCache _init = new();
    private long _segments;
    private long _bytes;
    private int _gaps;

    public Rendition Rendition => rendition;

    public Uri PlaylistUrl => playlistUrl;

    public TrackSpec Track => track;

    public async Task ReloadAsync(CancellationToken ct)
    {
        var fetched = await fetcher.FetchAsync(playlistUrl, null, ct).ConfigureAwait(false);
        if (fetched.Ok && PlaylistParser.TryParseMedia(System.Text.Encoding.UTF8.GetString(fetched.Body!), out var playlist))
        {
            _playlist = playlist;
            _walls = SegmentFetcher.Walls(playlist);
            return;
        }
        // keep the last good window: the video goes on, this rendition catches up (or ledgers gaps) at the next reload
        observer.Problem($"rendition {rendition.Name}: {(fetched.Ok ? "not a valid media playlist" : fetched.Error)}");
    }

    /// <summary>The variant's sequence numbers reset (encoder restart): so did this rendition's.</summary>
    public void Reset() => _last = null;

    /// <summary>Feeds what lies before the video's edge into the open part; returns the segments written.</summary>
    public async Task<int> FeedAsync(RecordingSession session, CancellationToken ct)
    {
        if (_playlist is not { } playlist || session.CurrentPart is null || session.PartStart is not { } start || session.Edge is not { } edge)
        {
            return 0;
        }
        var written = 0;
        var segments = playlist.Segments;
        for (var i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            var wall = _walls[i];
            if (_last is { } l && s.MediaSequence <= l)
            {
                continue; // done already (or a lagging copy of the playlist)
            }
            if (!edge.IsAfter(s.MediaSequence, wall, s.Duration))
            {
                break; // its video is not written yet
            }
            if (_last is { } prev && s.MediaSequence > prev + 1)
            {
                var count = s.MediaSequence - prev - 1;
                Gap(session, prev + 1, s.MediaSequence - 1, count * (playlist.TargetDuration > 0 ? playlist.TargetDuration : s.Duration), GapReasons.Skipped);
                _last = s.MediaSequence - 1;
            }
            if (start.IsAfter(s.MediaSequence, wall, s.Duration))
            {
                if (session.PreviousPart is { } closed && !closed.Start.IsAfter(s.MediaSequence, wall, s.Duration) && closed.End.IsAfter(s.MediaSequence, wall, s.Duration))
                {
                    Gap(session, s.MediaSequence, s.MediaSequence, s.Duration, GapReasons.Late);
                }
                _last = s.MediaSequence;
                continue;
            }
            var data = await LoadAsync(s, session.Epoch, playlist.TargetDuration, wall, ct).ConfigureAwait(false);
            if (data.IsMissing)
            {
                Gap(session, s.MediaSequence, s.MediaSequence, s.Duration, data.MissingReason!);
            }
            else
            {
                await session.AppendTrackAsync(track with { Extension = ExtensionFor(s) }, data, ct).ConfigureAwait(false);
                _segments++;
                _bytes += data.Body.Length;
                written++;
            }
            // only now: a stop that cancels the fetch leaves the segment to the final catch-up reload
            _last = s.MediaSequence;
        }
        return written;
    }

    /// <summary>
    /// Whether this rendition reaches the video's edge: its last segment handled ends within half a segment of it (by
    /// wall clock, else it is the video's last sequence number). False before the first reload.
    /// </summary>
    public bool CaughtUp(TimelineMark edge)
    {
        if (_playlist is not { } playlist || _last is not { } last)
        {
            return false;
        }
        var i = (int)(last - playlist.MediaSequence);
        if (i >= 0 && i < playlist.Segments.Count && _walls[i] is { } wall && edge.Wall is { } until)
        {
            var s = playlist.Segments[i];
            return wall + TimeSpan.FromSeconds(s.Duration * 1.5) >= until;
        }
        return last >= edge.Media - 1;
    }

    public RenditionStatus Snapshot() => new(rendition.Type, rendition.GroupId, rendition.Name, rendition.Language, rendition.IsDefault,
        playlistUrl.ToString(), track.Id, _segments, _bytes, _last, _gaps);

    private void Gap(RecordingSession session, long from, long to, double seconds, string reason)
    {
        _gaps++;
        session.RecordGap(session.Epoch, from, to, seconds, reason, rendition.Name);
    }

    private string ExtensionFor(MediaSegment s)
    {
        if (track.Type == RenditionSelection.Subtitles)
        {
            return ".segments.vtt";
        }
        if (s.Map is not null)
        {
            return ".m4s";
        }
        var path = s.Uri;
        var q = path.IndexOfAny(['?', '#']);
        var ext = Path.GetExtension(q < 0 ? path : path[..q]).ToLowerInvariant();
        return ext is ".aac" or ".ac3" or ".ec3" or ".mp3" ? ext : ".ts";
    }

    private async Task<SegmentData> LoadAsync(MediaSegment s, long epoch, double targetDuration, DateTimeOffset? wall, CancellationToken ct)
    {
        var load = await fetcher.LoadAsync(playlistUrl, s, _init, ct).ConfigureAwait(false);
        if (load.Error is not null)
        {
            observer.Problem($"rendition {rendition.Name} segment {s.MediaSequence}: {load.Error}");
        }
        return load.ToData(new SequenceKey(epoch, s.DiscontinuitySequence, s.MediaSequence), s, targetDuration, wall);
    }
}
