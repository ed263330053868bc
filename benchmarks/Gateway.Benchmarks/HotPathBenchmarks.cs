using HlsGateway.Hls;
using System.Text;
using BenchmarkDotNet.Attributes;
using HlsGateway.Caching;
using HlsGateway.Configuration;
using HlsGateway.Proxy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace HlsGateway.Benchmarks;

/// <summary>Per-request work on the cached-hit path that is not Kestrel's: parse + classify, playlist inspection.</summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private OriginRegistry _origins = null!;
    private byte[] _playlist = null!;

    [GlobalSetup]
    public void Setup()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = "http://127.0.0.1:18080/",
        }).Build();
        _origins = new OriginRegistry(new GatewayConfigMonitor(config, NullLogger<GatewayConfigMonitor>.Instance), NullLogger<OriginRegistry>.Instance);
        var sb = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:1000\n");
        for (var i = 0; i < 6; i++)
        {
            sb.Append("#EXT-X-PROGRAM-DATE-TIME:2026-11-25T21:23:24.000Z\n#EXTINF:2.000,\nlive/720p/seg-").Append(1000 + i).Append(".ts\n");
        }
        _playlist = Encoding.UTF8.GetBytes(sb.ToString());
    }

    [Benchmark]
    public bool ParseRequestTarget() =>
        HlsPathParser.Parse("/hls/news/live/720p/seg-1000.ts", _origins, out _, out _) == PathParseResult.Ok;

    [Benchmark]
    public bool ParseSignedRequestTarget() =>
        HlsPathParser.Parse("/hls/news/live/720p/index.m3u8?exp=1795641741&kid=k1&acl=%2Fhls%2Fnews%2Flive%2F&sig=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", _origins, out _, out _) == PathParseResult.Ok;

    [Benchmark]
    public double InspectLivePlaylist() => PlaylistInspector.Inspect(_playlist).TargetDurationSeconds;
}
