using System.Net;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Sources;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Sources;

/// <summary>The recorder inside the real gateway, fed by the proxy's tee while players watch.</summary>
public sealed class TeeThroughGatewayTests() : LiveOriginTest("rec-tee-")
{
    private Dictionary<string, string?> Settings() => new()
    {
        ["Gateway:Origins:o1"] = Origin.Origin.BaseUrl,
        ["Recorder:OutputDirectory"] = OutputDirectory,
        ["Recorder:FfmpegDirectory"] = Path.GetDirectoryName(Tools.Ffmpeg),
        ["Recorder:Recordings:0:Name"] = "news",
        ["Recorder:Recordings:0:Url"] = "/hls/o1/live/index.m3u8",
    };

    [Fact]
    public async Task Fifty_players_and_a_recording_make_one_origin_fetch_per_segment_and_the_tee_feeds_the_recorder()
    {
        Origin.Origin.Latency = TimeSpan.FromMilliseconds(100); // players' misses overlap
        await using var gw = await GatewayHost.StartAsync(Settings());
        var manager = gw.Services.GetRequiredService<RecordingManager>();
        var tee = gw.Services.GetRequiredService<RecordingTee>();
        await RecorderHost.WaitUntilAsync(() => manager.Get("news")?.LastMediaSequence >= 3, TimeSpan.FromSeconds(30), "recording started");

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 200 }) { BaseAddress = new Uri(gw.BaseUrl) };
        using var stop = new CancellationTokenSource();
        var players = Enumerable.Range(0, 50).Select(_ => PlayAsync(client, stop.Token)).ToArray();
        for (var s = 4; s <= 9; s++)
        {
            Origin.Append(s, s);
            await RecorderHost.WaitUntilAsync(() => manager.Get("news")?.LastMediaSequence >= s, TimeSpan.FromSeconds(30), $"recorded seq {s}");
        }
        await stop.CancelAsync();
        var (ok, failed) = (await Task.WhenAll(players)).Aggregate((0, 0), (a, p) => (a.Item1 + p.Ok, a.Item2 + p.Failed));

        Assert.Equal(0, failed);
        Assert.True(ok > 50, $"players fetched {ok} resources");
        for (var s = 3; s <= 9; s++)
        {
            Assert.Equal(1, Origin.Origin.Hits(Origin.SegmentPath(s)));
        }
        Assert.True(tee.Stats.Offered > 0, "the proxy handed segments to the recorder through the tee");
        var status = manager.Get("news")!;
        Assert.Empty(status.Gaps);
    }

    [Fact]
    public async Task The_recorder_passes_access_checks_meant_for_players_and_nobody_else_does()
    {
        var settings = Settings();
        settings["Gateway:Signing:Required"] = "true";
        settings["Gateway:Signing:Keys:k1"] = Convert.ToBase64String(new byte[32]);
        settings["Gateway:Access:Allow:0"] = "10.0.0.0/8"; // loopback players are not allowed
        await using var gw = await GatewayHost.StartAsync(settings);
        var manager = gw.Services.GetRequiredService<RecordingManager>();

        await RecorderHost.WaitUntilAsync(() => manager.Get("news")?.LastMediaSequence >= 3, TimeSpan.FromSeconds(30), "the recorder fetched through the gateway's access checks");

        using var player = await gw.Client.GetAsync("/hls/o1/live/index.m3u8");
        Assert.Equal(HttpStatusCode.Forbidden, player.StatusCode);
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/hls/o1/live/index.m3u8");
        forged.Headers.TryAddWithoutValidation(InternalClientCredential.HeaderName, Convert.ToBase64String(new byte[32]));
        using var forgedResponse = await gw.Client.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Forbidden, forgedResponse.StatusCode);
        Assert.DoesNotContain(Origin.Origin.Requests, r => r.Path.Contains("sig=", StringComparison.Ordinal));
    }

    private static async Task<(int Ok, int Failed)> PlayAsync(HttpClient client, CancellationToken ct)
    {
        int ok = 0, failed = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var playlist = await client.GetStringAsync("/hls/o1/live/index.m3u8", ct);
                foreach (var line in playlist.Split('\n').Where(l => l.EndsWith(".ts", StringComparison.Ordinal)))
                {
                    using var r = await client.GetAsync("/hls/o1/live/" + line, ct);
                    if (r.StatusCode == HttpStatusCode.OK)
                    {
                        ok++;
                    }
                    else
                    {
                        failed++;
                    }
                }
                await Task.Delay(300, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return (ok, failed);
    }
}
