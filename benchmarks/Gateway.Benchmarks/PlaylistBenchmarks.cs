using System.Text;
using BenchmarkDotNet.Attributes;
using HlsGateway.Access;
using HlsGateway.Configuration;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Playlists;
using HlsGateway.Proxy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace HlsGateway.Benchmarks;

/// <summary>
/// The playlist paths a player's reload costs: the rewrite of a live media playlist (relative URIs, unsigned and
/// signed), of a master with absolute URIs and EXT-X-MEDIA, and the cache's inspection of a body.
/// Issue 16 measured these before and after the shared src/Hls model (benchmarks/README.md).
/// </summary>
[MemoryDiagnoser]
public class PlaylistBenchmarks
{
    private byte[] _live = [];
    private byte[] _master = [];
    private Origin _origin = null!;
    private OriginRegistry _registry = null!;
    private SignedRequest _signed = null!;
    private byte[] _key = [];

    [GlobalSetup]
    public void Setup()
    {
        var sb = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:1200\n");
        for (var i = 0; i < 10; i++)
        {
            sb.Append("#EXT-X-PROGRAM-DATE-TIME:2026-12-06T12:00:").Append((i * 4).ToString("00")).Append(".000Z\n#EXTINF:4.000,\nseg").Append(1200 + i).Append(".ts\n");
        }
        _live = Encoding.UTF8.GetBytes(sb.ToString());
        _master = Encoding.UTF8.GetBytes(
            "#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS\n" +
            "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,URI=\"http://127.0.0.1:9/live/audio/en.m3u8\"\n" +
            "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"sub\",NAME=\"English\",LANGUAGE=\"en\",URI=\"subs/en.m3u8\"\n" +
            "#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS=\"avc1.4d401e,mp4a.40.2\",AUDIO=\"aud\",SUBTITLES=\"sub\"\nhttp://127.0.0.1:9/live/360p/index.m3u8\n" +
            "#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS=\"avc1.4d401f,mp4a.40.2\",AUDIO=\"aud\",SUBTITLES=\"sub\"\n720p/index.m3u8\n" +
            "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=200000,URI=\"720p/iframes.m3u8\"\n");
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Origins:live"] = "http://127.0.0.1:9/live",
        }).Build();
        _registry = new OriginRegistry(new GatewayConfigMonitor(config, NullLogger<GatewayConfigMonitor>.Instance), NullLogger<OriginRegistry>.Instance);
        _ = _registry.TryGet("live", out var origin);
        _origin = origin!;
        _key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        _signed = new SignedRequest(4102444800, "4102444800", "k1", null, null);
    }

    private PlaylistRewriteContext Context(string path, bool signed) =>
        new(new HlsRequest(_origin, path, string.Empty, RouteKind.MediaPlaylist, "live/" + path), _registry.All, signed ? _signed : null, signed ? _key : null);

    [Benchmark]
    public int RewriteLive() => PlaylistLineRewriter.RewriteAll(_live, Context("720p/index.m3u8", false)).Length;

    [Benchmark]
    public int RewriteLiveSigned() => PlaylistLineRewriter.RewriteAll(_live, Context("720p/index.m3u8", true)).Length;

    [Benchmark]
    public int RewriteMaster() => PlaylistLineRewriter.RewriteAll(_master, Context("master.m3u8", false)).Length;

    /// <summary>The floor under every reader: split the live playlist into classified lines.</summary>
    [Benchmark]
    public int ReadLinesLive()
    {
        var reader = new Hls.M3u8LineReader(_live);
        var n = 0;
        while (reader.TryRead(out var line))
        {
            n += (int)line.Kind;
        }
        return n;
    }

    [Benchmark]
    public double InspectLive() => Hls.PlaylistInspector.Inspect(_live).TargetDurationSeconds;
}
