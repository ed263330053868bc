using System.Globalization;
using System.Text;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Support;

/// <summary>
/// A live origin the test drives step by step: real ffmpeg-made segments served by
/// <see cref="TestOrigin"/> under a media playlist the test writes (window, sequence numbers,
/// discontinuities, missing files), so gaps and boundaries happen exactly when the test says.
/// </summary>
internal sealed class SyntheticLiveOrigin : IAsyncDisposable
{
    private List<byte[]> _media;
    private readonly byte[]? _init;
    private readonly List<(long Seq, int Media, bool Disc, string? Init)> _window = [];
    private string? _initName;
    private long _discontinuitySequence;

    private SyntheticLiveOrigin(TestOrigin origin, List<byte[]> media, byte[]? init)
    {
        Origin = origin;
        _media = media;
        _init = init;
        _initName = init is null ? null : "init.mp4";
    }

    public TestOrigin Origin { get; }

    public string PlaylistPath => "/live/index.m3u8";

    public int WindowSize { get; set; } = 4;

    public long NewestSequence => _window.Count == 0 ? -1 : _window[^1].Seq;

    public bool Ended { get; set; }

    /// <summary>
    /// LL-HLS (RFC 8216bis): EXT-X-SERVER-CONTROL, EXT-X-PART-INF, two EXT-X-PART lines (real halves of the segment,
    /// served) before each of the last segments, and the parts of the segment in progress plus an EXT-X-PRELOAD-HINT.
    /// </summary>
    public bool LowLatency { get; set; }

    private (long Seq, int Media)? _inProgress;
    private int _inProgressParts;

    public static async Task<SyntheticLiveOrigin> StartAsync(bool fmp4 = false)
    {
        var (ts, init, fm) = await TestMedia.GetAsync();
        var origin = await TestOrigin.StartAsync();
        var live = new SyntheticLiveOrigin(origin, fmp4 ? fm : ts, fmp4 ? init : null);
        if (fmp4)
        {
            origin.Set("/live/init.mp4", init);
        }
        return live;
    }

    /// <summary>fMP4: segments appended from now on use another init section (a new EXT-X-MAP) and their media.</summary>
    public void SwitchInit(string name, byte[] init, List<byte[]> media)
    {
        Origin.Set("/live/" + name, init);
        _initName = name;
        _media = media;
    }

    public string PartPath(long seq, int part) => $"/live/seg{seq}.part{part}.{(_init is null ? "ts" : "m4s")}";

    /// <summary>LL-HLS: segment <paramref name="seq"/> is being produced; its first <paramref name="parts"/> parts (1 or 2) are listed, not the segment.</summary>
    public void PublishParts(long seq, int media, int parts)
    {
        var body = _media[media % _media.Count];
        var half = body.Length / 2 / 188 * 188;
        Origin.Set(PartPath(seq, 0), body[..half]);
        Origin.Set(PartPath(seq, 1), body[half..]);
        _inProgress = (seq, media);
        _inProgressParts = parts;
        Publish();
    }

    public string SegmentPath(long seq) => $"/live/seg{seq}.{(_init is null ? "ts" : "m4s")}";

    /// <summary>Appends segment <paramref name="seq"/> (media file <paramref name="media"/>) and publishes the playlist.</summary>
    public void Append(long seq, int media, bool discontinuity = false)
    {
        Origin.Set(SegmentPath(seq), _media[media % _media.Count]);
        _window.Add((seq, media, discontinuity, _initName));
        _inProgress = null;
        while (_window.Count > WindowSize)
        {
            if (_window[1].Disc)
            {
                _discontinuitySequence++;
            }
            _window.RemoveAt(0);
        }
        Publish();
    }

    /// <summary>
    /// Replaces the whole window (sequence resets, jumps); <paramref name="discontinuity"/> raises
    /// EXT-X-DISCONTINUITY-SEQUENCE past every discontinuity listed so far (a restarted packager's signal).
    /// </summary>
    public void Reset(long firstSeq, int firstMedia, int count, bool discontinuity = false)
    {
        if (discontinuity)
        {
            _discontinuitySequence += _window.Count(w => w.Disc) + 1;
        }
        _window.Clear();
        for (var i = 0; i < count; i++)
        {
            Origin.Set(SegmentPath(firstSeq + i), _media[(firstMedia + i) % _media.Count]);
            _window.Add((firstSeq + i, firstMedia + i, false, _initName));
        }
        Publish();
    }

    /// <summary>
    /// Publishes a lagging copy: the window as it was <paramref name="behind"/> segments ago (same URIs,
    /// lower media sequence, no discontinuity), as a CDN edge or load-balanced origin may serve it.
    /// </summary>
    public void PublishLagging(int behind)
    {
        var current = _window.ToList();
        var first = current[0].Seq - behind;
        var lagging = Enumerable.Range(0, current.Count).Select(i => (first + i, (int)(first + i), false, _initName)).Where(w => w.Item1 >= 0).ToList();
        _window.Clear();
        _window.AddRange(lagging);
        Publish();
        _window.Clear();
        _window.AddRange(current);
    }

    public void Publish()
    {
        var sb = new StringBuilder();
        sb.Append("#EXTM3U\n#EXT-X-VERSION:").Append(_init is null ? 3 : 7).Append('\n');
        sb.Append("#EXT-X-TARGETDURATION:1\n");
        if (LowLatency)
        {
            sb.Append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5\n#EXT-X-PART-INF:PART-TARGET=0.5\n");
        }
        sb.Append("#EXT-X-MEDIA-SEQUENCE:").Append(_window.Count > 0 ? _window[0].Seq : 0).Append('\n');
        sb.Append("#EXT-X-DISCONTINUITY-SEQUENCE:").Append(_discontinuitySequence).Append('\n');
        string? map = null;
        foreach (var (seq, _, disc, init) in _window)
        {
            if (disc)
            {
                sb.Append("#EXT-X-DISCONTINUITY\n");
            }
            if (init is not null && init != map)
            {
                sb.Append("#EXT-X-MAP:URI=\"").Append(init).Append("\"\n");
                map = init;
            }
            if (LowLatency && seq >= NewestSequence - 1)
            {
                AppendParts(sb, seq, 2); // parts stay listed before the finished segment for a while (RFC 8216bis 6.2.2)
            }
            sb.Append("#EXTINF:1.000000,\n").Append(SegmentPath(seq).AsSpan("/live/".Length)).Append('\n');
        }
        if (LowLatency && _inProgress is { } p && !Ended)
        {
            AppendParts(sb, p.Seq, _inProgressParts);
            var next = _inProgressParts < 2 ? PartPath(p.Seq, _inProgressParts) : PartPath(p.Seq + 1, 0);
            sb.Append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"").Append(next.AsSpan("/live/".Length)).Append("\"\n");
        }
        if (Ended)
        {
            sb.Append("#EXT-X-ENDLIST\n");
        }
        Origin.Set(PlaylistPath, sb.ToString());
    }

    private void AppendParts(StringBuilder sb, long seq, int parts)
    {
        for (var k = 0; k < parts; k++)
        {
            sb.Append("#EXT-X-PART:DURATION=0.5,URI=\"").Append(PartPath(seq, k).AsSpan("/live/".Length)).Append('"');
            sb.Append(k == 0 ? ",INDEPENDENT=YES\n" : "\n");
        }
    }

    public ValueTask DisposeAsync() => Origin.DisposeAsync();
}
