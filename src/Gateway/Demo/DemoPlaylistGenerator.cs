using System.Globalization;
using System.Text;

namespace HlsGateway.Demo;

/// <summary>
/// Turns the demo loop into a live channel driven by the wall clock, plus static VOD and master
/// playlists. Live segment numbers count from <see cref="Epoch"/>: segment <c>n</c> plays sample
/// <c>n % count</c> and starts at <c>Epoch + (n / count) * loop + offset(n % count)</c>. Only
/// segments that are complete in wall-clock terms are listed, a sliding window of
/// <see cref="WindowSize"/>. Each loop wrap restarts the media timestamps, hence an
/// EXT-X-DISCONTINUITY before every segment <c>n % count == 0</c> (n &gt; 0).
/// </summary>
/// <remarks>
/// URI layout: <c>live.m3u8</c> and <c>vod.m3u8</c> sit at the origin root and reference
/// <c>live/&lt;rendition&gt;/seg-&lt;n&gt;.ts</c>; <c>live/&lt;rendition&gt;.m3u8</c> references
/// <c>&lt;rendition&gt;/seg-&lt;n&gt;.ts</c>. Both resolve to the same resource, relative to
/// whichever playlist the player (or the gateway in front) opened.
/// </remarks>
internal sealed class DemoPlaylistGenerator
{
    /// <summary>Segments listed in a live playlist.</summary>
    public const int WindowSize = 6;

    private readonly DemoSamples _samples;
    private readonly TimeProvider _time;
    private readonly long[] _durationTicks;
    private readonly long[] _offsetTicks; // start of segment i within one loop
    private readonly long _loopTicks;
    private readonly byte[] _liveMaster;
    private readonly byte[] _vodMaster;
    private readonly byte[][] _vod; // [rendition * 2 + (nested ? 1 : 0)]
    private readonly CachedPlaylist?[] _live; // same indexing; rebuilt once per new live edge

    public DemoPlaylistGenerator(DemoSamples samples, TimeProvider time, DateTimeOffset epoch)
    {
        _samples = samples;
        _time = time;
        Epoch = epoch;
        var count = samples.Durations.Count;
        _durationTicks = new long[count];
        _offsetTicks = new long[count];
        for (var i = 0; i < count; i++)
        {
            _durationTicks[i] = samples.Durations[i].Ticks;
            _offsetTicks[i] = _loopTicks;
            _loopTicks += _durationTicks[i];
        }
        // RFC 8216 4.3.3.1: every EXTINF rounded to the nearest integer must be <= the target.
        TargetDurationSeconds = (int)Math.Ceiling(Math.Round(samples.Durations.Max().TotalSeconds, 3));

        _liveMaster = BuildMaster("live/");
        _vodMaster = BuildMaster(string.Empty);
        _vod = new byte[samples.Renditions.Count * 2][];
        _live = new CachedPlaylist?[samples.Renditions.Count * 2];
        for (var r = 0; r < samples.Renditions.Count; r++)
        {
            _vod[r * 2] = BuildVod("vod/" + samples.Renditions[r].Name + "/");
            _vod[(r * 2) + 1] = BuildVod(samples.Renditions[r].Name + "/");
        }
    }

    /// <summary>Wall-clock start of live segment 0.</summary>
    public DateTimeOffset Epoch { get; }

    public int TargetDurationSeconds { get; }

    public DemoSamples Samples => _samples;

    public int SegmentCount => _durationTicks.Length;

    /// <summary>
    /// An epoch a whole window before <paramref name="now"/> (on a whole second), so the first
    /// playlist served already lists <see cref="WindowSize"/> complete segments.
    /// </summary>
    public static DateTimeOffset DefaultEpoch(DemoSamples samples, DateTimeOffset now)
    {
        var second = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return second - (samples.Durations.Max() * WindowSize);
    }

    /// <summary>Newest segment complete at <paramref name="now"/> (start + duration &lt;= now); -1 if none yet.</summary>
    public long LiveEdge(DateTimeOffset now)
    {
        var elapsed = (now - Epoch).Ticks;
        if (elapsed < _durationTicks[0])
        {
            return -1;
        }
        var loops = elapsed / _loopTicks;
        var inLoop = elapsed % _loopTicks;
        var i = _durationTicks.Length - 1;
        while (i >= 0 && _offsetTicks[i] + _durationTicks[i] > inLoop)
        {
            i--;
        }
        return (loops * _durationTicks.Length) + i; // i == -1: the previous loop's last segment
    }

    public DateTimeOffset SegmentStart(long n) =>
        Epoch + TimeSpan.FromTicks((n / _durationTicks.Length * _loopTicks) + _offsetTicks[n % _durationTicks.Length]);

    /// <summary>
    /// Like a real live origin: a segment is served from the moment it is complete until it is two
    /// windows old; later (not yet made) and older (purged) numbers are 404.
    /// </summary>
    public bool IsLiveSegmentAvailable(long n, DateTimeOffset now)
    {
        var edge = LiveEdge(now);
        return n >= 0 && n <= edge && n >= edge - (2 * WindowSize);
    }

    /// <summary>
    /// EXT-X-DISCONTINUITY-SEQUENCE for a window starting at <paramref name="first"/>: the wraps
    /// whose tag has already slid out, i.e. before segment <paramref name="first"/> (its own tag,
    /// if any, is still listed and counted by the player).
    /// </summary>
    public static long DiscontinuitySequence(long first, int count) => first <= 0 ? 0 : (first - 1) / count;

    public byte[] MasterPlaylist(bool vod) => vod ? _vodMaster : _liveMaster;

    /// <param name="rendition">Index into <see cref="DemoSamples.Renditions"/>.</param>
    /// <param name="nested">true for <c>vod/&lt;rendition&gt;.m3u8</c>, false for <c>vod.m3u8</c> at the root.</param>
    public byte[] VodPlaylist(int rendition, bool nested) => _vod[(rendition * 2) + (nested ? 1 : 0)];

    /// <param name="rendition">Index into <see cref="DemoSamples.Renditions"/>.</param>
    /// <param name="nested">true for <c>live/&lt;rendition&gt;.m3u8</c>, false for <c>live.m3u8</c> at the root.</param>
    public byte[] LivePlaylist(int rendition, bool nested)
    {
        var edge = LiveEdge(_time.GetUtcNow());
        var slot = (rendition * 2) + (nested ? 1 : 0);
        var cached = Volatile.Read(ref _live[slot]);
        if (cached is not null && cached.Edge == edge)
        {
            return cached.Body;
        }
        var r = _samples.Renditions[rendition];
        var body = BuildLive(edge, nested ? r.Name + "/" : "live/" + r.Name + "/");
        Volatile.Write(ref _live[slot], new CachedPlaylist(edge, body));
        return body;
    }

    private byte[] BuildLive(long edge, string segmentPrefix)
    {
        var count = _durationTicks.Length;
        var first = Math.Max(0, edge - WindowSize + 1);
        var sb = new StringBuilder(128 + (WindowSize * 110));
        AppendHeader(sb);
        sb.Append(CultureInfo.InvariantCulture, $"#EXT-X-MEDIA-SEQUENCE:{first}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#EXT-X-DISCONTINUITY-SEQUENCE:{DiscontinuitySequence(first, count)}\n");
        for (var n = first; n <= edge; n++)
        {
            if (n > 0 && n % count == 0)
            {
                sb.Append("#EXT-X-DISCONTINUITY\n");
            }
            sb.Append(CultureInfo.InvariantCulture, $"#EXT-X-PROGRAM-DATE-TIME:{SegmentStart(n).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}\n");
            AppendExtInf(sb, (int)(n % count));
            sb.Append(segmentPrefix).Append(CultureInfo.InvariantCulture, $"seg-{n}.ts\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private byte[] BuildVod(string segmentPrefix)
    {
        var sb = new StringBuilder(256);
        AppendHeader(sb);
        sb.Append("#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n");
        for (var i = 0; i < _durationTicks.Length; i++)
        {
            AppendExtInf(sb, i);
            sb.Append(segmentPrefix).Append(CultureInfo.InvariantCulture, $"seg-{i}.ts\n");
        }
        sb.Append("#EXT-X-ENDLIST\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private byte[] BuildMaster(string playlistPrefix)
    {
        var sb = new StringBuilder(512);
        sb.Append("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        foreach (var r in _samples.Renditions)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-STREAM-INF:BANDWIDTH={r.Bandwidth},AVERAGE-BANDWIDTH={r.AverageBandwidth},RESOLUTION={r.Width}x{r.Height},CODECS=\"{r.Codecs}\",FRAME-RATE={r.FrameRate:0.000}\n");
            sb.Append(playlistPrefix).Append(r.Name).Append(".m3u8\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private void AppendHeader(StringBuilder sb) =>
        sb.Append(CultureInfo.InvariantCulture, $"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-TARGETDURATION:{TargetDurationSeconds}\n");

    private void AppendExtInf(StringBuilder sb, int index)
    {
        var ms = _durationTicks[index] / TimeSpan.TicksPerMillisecond;
        sb.Append(CultureInfo.InvariantCulture, $"#EXTINF:{ms / 1000}.{ms % 1000:D3},\n");
    }

    private sealed record CachedPlaylist(long Edge, byte[] Body);
}
