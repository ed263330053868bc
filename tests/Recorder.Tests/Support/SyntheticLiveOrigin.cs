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

    public string SegmentPath(long seq) => $"/live/seg{seq}.{(_init is null ? "ts" : "m4s")}";

    /// <summary>Appends segment <paramref name="seq"/> (media file <paramref name="media"/>) and publishes the playlist.</summary>
    public void Append(long seq, int media, bool discontinuity = false)
    {
        Origin.Set(SegmentPath(seq), _media[media % _media.Count]);
        _window.Add((seq, media, discontinuity, _initName));
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
            sb.Append("#EXTINF:1.000000,\n").Append(SegmentPath(seq).AsSpan("/live/".Length)).Append('\n');
        }
        if (Ended)
        {
            sb.Append("#EXT-X-ENDLIST\n");
        }
        Origin.Set(PlaylistPath, sb.ToString());
    }

    public ValueTask DisposeAsync() => Origin.DisposeAsync();
}
