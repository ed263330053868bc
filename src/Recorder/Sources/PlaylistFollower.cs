using System.Net.Http.Headers;
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
/// <see cref="FollowResult.Offline"/> so the lifecycle can back off.
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
    IFollowerObserver observer)
{
    private const int SegmentAttempts = 3;
    private Uri? _mediaUrl;
    private (string Key, byte[] Body)? _init;
    private readonly SeenUris _seen = new(4096);
    private string? _firstMediaText; // the resolve step already loaded a media playlist: use it, don't fetch twice

    private Uri BaseUrl => _mediaUrl ?? playlistUrl;

    public Uri? MediaPlaylistUrl => _mediaUrl;

    public long ReloadCount { get; private set; }

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
        using var watch = tee?.Watch(DirectoryOf(_mediaUrl.AbsolutePath));
        var lastProgress = time.GetTimestamp();
        var stalled = false;
        long lastNewest = long.MinValue;
        while (true)
        {
            var started = time.GetTimestamp();
            var fetched = _firstMediaText is not null ? new FetchResult(200, [], null) : await FetchAsync(_mediaUrl, null, ct).ConfigureAwait(false);
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
        var fetched = await FetchAsync(_mediaUrl, null, ct).ConfigureAwait(false);
        if (fetched.Ok && PlaylistParser.TryParseMedia(System.Text.Encoding.UTF8.GetString(fetched.Body!), out var playlist))
        {
            await ProcessAsync(playlist, ct).ConfigureAwait(false);
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
            last = session.LastKey;
        }
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
            var data = await LoadAsync(s, key, playlist.TargetDuration, ct).ConfigureAwait(false);
            if (await pipeline.ProcessAsync(session, data, ct).ConfigureAwait(false) == SegmentOutcome.Written)
            {
                written++;
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

    private async Task<SegmentData> LoadAsync(MediaSegment s, SequenceKey key, double targetDuration, CancellationToken ct)
    {
        var url = new Uri(BaseUrl, s.Uri);
        string? missing = null;
        ReadOnlyMemory<byte> body = default;
        ReadOnlyMemory<byte> init = default;
        if (s.Map is { } map)
        {
            var initUrl = new Uri(BaseUrl, map.Uri);
            var initKey = initUrl.AbsoluteUri + "|" + map.ByteRange;
            if (_init is { } cached && cached.Key == initKey)
            {
                init = cached.Body;
            }
            else
            {
                var got = await GetAsync(initUrl, map.ByteRange, ct).ConfigureAwait(false);
                if (got.Ok)
                {
                    _init = (initKey, got.Body!);
                    init = got.Body;
                }
                else
                {
                    missing = got.NotFound ? GapReasons.NotFound : GapReasons.FetchFailed;
                }
            }
        }
        if (missing is null)
        {
            var got = await GetAsync(url, s.ByteRange, ct).ConfigureAwait(false);
            if (got.Ok)
            {
                body = got.Body;
            }
            else
            {
                missing = got.NotFound ? GapReasons.NotFound : GapReasons.FetchFailed;
                observer.Problem($"segment {key}: {got.Error}");
            }
        }
        return new SegmentData
        {
            Key = key,
            Uri = s.Uri,
            Duration = s.Duration,
            TargetDuration = targetDuration,
            Discontinuity = s.Discontinuity,
            Body = body,
            InitUri = s.Map?.Uri,
            InitBody = init,
            EncryptionKey = s.Key,
            ProgramDateTime = s.ProgramDateTime,
            MissingReason = missing,
        };
    }

    /// <summary>Tee buffer first, else up to <see cref="SegmentAttempts"/> fetches (404 is final at once).</summary>
    private async Task<FetchResult> GetAsync(Uri url, ByteRangeSpec? range, CancellationToken ct)
    {
        if (tee is not null && tee.TryTake(url.AbsolutePath, out var teed))
        {
            if (range is { } r)
            {
                if (r.End <= teed.Length)
                {
                    return new FetchResult(200, teed.Slice((int)r.Offset, (int)r.Length).ToArray(), null);
                }
            }
            else
            {
                return new FetchResult(200, teed.ToArray(), null);
            }
        }
        FetchResult result = default;
        for (var attempt = 1; attempt <= SegmentAttempts; attempt++)
        {
            result = await FetchAsync(url, range, ct).ConfigureAwait(false);
            if (result.Ok || result.NotFound)
            {
                return result;
            }
            if (attempt < SegmentAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time, ct).ConfigureAwait(false);
            }
        }
        return result;
    }

    private async Task<FetchResult> FetchAsync(Uri url, ByteRangeSpec? range, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (range is { } r)
        {
            request.Headers.Range = new RangeHeaderValue(r.Offset, r.End - 1);
        }
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status != 200 && status != 206)
            {
                return new FetchResult(status, null, $"HTTP {status}");
            }
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (range is { } rr && status == 200)
            {
                // the server ignored Range: cut the range out ourselves
                if (rr.End > body.Length)
                {
                    return new FetchResult(status, null, "byte range beyond the resource");
                }
                body = body.AsSpan((int)rr.Offset, (int)rr.Length).ToArray();
            }
            return new FetchResult(status, body, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new FetchResult(0, null, "timeout");
        }
        catch (HttpRequestException ex)
        {
            return new FetchResult(0, null, ex.Message);
        }
        catch (IOException ex)
        {
            return new FetchResult(0, null, ex.Message);
        }
    }

    private async Task<Uri?> ResolveMediaUrlAsync(CancellationToken ct)
    {
        var fetched = await FetchAsync(playlistUrl, null, ct).ConfigureAwait(false);
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
                return new Uri(playlistUrl, chosen.Uri);
            default:
                observer.Problem("not an HLS playlist");
                return null;
        }
    }

    private static string DirectoryOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "/" : path[..(slash + 1)];
    }
}
