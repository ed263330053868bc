using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HlsGateway.Tests.Lifecycle;

/// <summary>Stall, outage, fMP4, recording through the real gateway's cache, and webhooks.</summary>
public sealed class RecorderBehaviourTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _out = Directory.CreateTempSubdirectory("rec-out-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_out, recursive: true);
        return Task.CompletedTask;
    }

    private static async Task StartAsync(RecorderHost host, string url)
    {
        var (result, errors) = await host.Manager.StartRecordingAsync(new RecordingDefinition { Name = "news", Url = url }, CancellationToken.None);
        Assert.True(result == StartRecordingResult.Started, string.Join("; ", errors));
    }

    private static Task RecordedAsync(RecorderHost host, long seq) =>
        RecorderHost.WaitUntilAsync(() => host.Manager.Get("news")?.LastMediaSequence == seq, Wait, $"sequence {seq} recorded");

    [Fact]
    public async Task Stalled_playlist_goes_to_checking_with_an_event_and_recovers()
    {
        await using var origin = await SyntheticLiveOrigin.StartAsync();
        for (var s = 0; s <= 3; s++)
        {
            origin.Append(s, s);
        }
        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?>
        {
            ["Recorder:BaseUrl"] = origin.Origin.BaseUrl,
            ["Recorder:StallTargetDurations"] = "2",
        });
        await StartAsync(host, origin.PlaylistPath);
        await RecordedAsync(host, 3);
        origin.Append(4, 4);
        await RecordedAsync(host, 4);
        // the playlist stops updating
        await host.WaitForEventAsync<StreamEndEventArgs>(e => e.Reason == "stalled", TimeSpan.FromSeconds(10));
        Assert.Equal(RecordingState.Checking, host.Manager.Get("news")!.State);
        Assert.Contains("stalled", host.Manager.Get("news")!.LastError);
        origin.Append(5, 5);
        await RecordedAsync(host, 5);
        await RecorderHost.WaitUntilAsync(() => host.Manager.Get("news")!.State == RecordingState.Recording, Wait, "recording again");
        await RecorderHost.WaitUntilAsync(() => host.Events.OfType<StreamStartEventArgs>().Count() == 2, Wait, "a second stream.start");
        await host.Manager.StopRecordingAsync("news");
        var parts = host.Manager.Get("news")!.Parts;
        Assert.Equal([(3L, 4L, "stalled"), (5L, 5L, "stopped")], parts.Select(p => (p.FirstSequence, p.LastSequence, p.CloseReason)));
        Assert.Empty(host.Manager.Get("news")!.Gaps);
    }

    [Fact]
    public async Task Offline_stream_is_retried_with_backoff_and_recording_resumes()
    {
        await using var origin = await SyntheticLiveOrigin.StartAsync();
        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?> { ["Recorder:BaseUrl"] = origin.Origin.BaseUrl });
        await StartAsync(host, origin.PlaylistPath); // nothing there yet: 404
        await RecorderHost.WaitUntilAsync(() => origin.Origin.Hits(origin.PlaylistPath) >= 3, Wait, "retries");
        Assert.Equal(RecordingState.Checking, host.Manager.Get("news")!.State);
        for (var s = 0; s <= 3; s++)
        {
            origin.Append(s, s);
        }
        await RecordedAsync(host, 3);
        await RecorderHost.WaitUntilAsync(() => host.Manager.Get("news")!.State == RecordingState.Recording, Wait, "recording state");
        origin.Origin.Remove(origin.PlaylistPath); // goes offline
        await host.WaitForEventAsync<StreamEndEventArgs>(e => e.Reason == "offline", Wait);
        origin.Append(4, 4);
        await RecordedAsync(host, 4);
        await host.Manager.StopRecordingAsync("news");
        var status = host.Manager.Get("news")!;
        Assert.Equal([(3L, 3L, "offline"), (4L, 4L, "stopped")], status.Parts.Select(p => (p.FirstSequence, p.LastSequence, p.CloseReason)));
    }

    [Fact]
    public async Task Fmp4_stream_is_recorded_with_its_init_section_and_remuxed()
    {
        await using var origin = await SyntheticLiveOrigin.StartAsync(fmp4: true);
        for (var s = 0; s <= 3; s++)
        {
            origin.Append(s, s);
        }
        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?> { ["Recorder:BaseUrl"] = origin.Origin.BaseUrl });
        await StartAsync(host, origin.PlaylistPath);
        await RecordedAsync(host, 3);
        for (var s = 4; s <= 6; s++)
        {
            origin.Append(s, s);
            await RecordedAsync(host, s);
        }
        await host.Manager.StopRecordingAsync("news");
        var done = await host.WaitForEventAsync<RecordPartEventArgs>(e => e.Part.Number == 1, Wait);
        Assert.True(done.Part.State == PartState.Remuxed, done.Part.Error);
        Assert.EndsWith(".m4s", done.Part.RawPath);
        Assert.Equal("init.mp4", done.Part.InitUri);
        var mp4 = Path.Combine(_out, done.Part.Mp4Path!);
        Assert.InRange(await TestMedia.ProbeSecondsAsync(mp4), 3.5, 4.5);
        await TestMedia.AssertDecodesAsync(mp4);
        Assert.Equal(1, origin.Origin.Hits("/live/init.mp4"));
    }

    [Fact]
    public async Task Recording_through_the_gateway_shares_its_cache_so_the_origin_sees_each_segment_once()
    {
        await using var origin = await SyntheticLiveOrigin.StartAsync();
        for (var s = 0; s <= 3; s++)
        {
            origin.Append(s, s);
        }
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Origins:o1"] = origin.Origin.BaseUrl });
        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?> { ["Recorder:BaseUrl"] = gateway.BaseUrl });
        await StartAsync(host, "/hls/o1/live/index.m3u8");
        await RecordedAsync(host, 3);

        using var players = new CancellationTokenSource();
        var playerTasks = Enumerable.Range(0, 5).Select(_ => PlayAsync(gateway.Client, players.Token)).ToArray();
        for (var s = 4; s <= 8; s++)
        {
            origin.Append(s, s);
            await RecordedAsync(host, s);
        }
        await players.CancelAsync();
        var fetchedByPlayers = (await Task.WhenAll(playerTasks)).Sum();
        await host.Manager.StopRecordingAsync("news");

        Assert.True(fetchedByPlayers > 0, "players fetched nothing");
        for (var s = 3; s <= 8; s++)
        {
            Assert.True(origin.Origin.Hits(origin.SegmentPath(s)) == 1,
                string.Join("\n", origin.Origin.Requests.Select(r => $"{r.Method} {r.Path} {r.Protocol} {r.Range}")));
        }
        var status = host.Manager.Get("news")!;
        Assert.Equal((3L, 8L), (status.Parts[0].FirstSequence, status.Parts[0].LastSequence));
    }

    private static async Task<int> PlayAsync(HttpClient client, CancellationToken ct)
    {
        var fetched = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var playlist = await client.GetStringAsync("/hls/o1/live/index.m3u8", ct);
                foreach (var line in playlist.Split('\n').Where(l => l.EndsWith(".ts", StringComparison.Ordinal)))
                {
                    using var r = await client.GetAsync("/hls/o1/live/" + line, ct);
                    fetched += r.IsSuccessStatusCode ? 1 : 0;
                }
                await Task.Delay(300, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return fetched;
    }

    [Fact]
    public async Task Webhooks_post_signed_envelopes_and_retry()
    {
        var received = new ConcurrentQueue<(string Signature, string Timestamp, byte[] Body)>();
        var calls = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear(); // not the gateway's appsettings.json (Kestrel endpoint 8080) copied next to the tests
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var receiver = builder.Build();
        receiver.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms);
            if (Interlocked.Increment(ref calls) == 1)
            {
                return Results.StatusCode(503); // first delivery fails: must be retried
            }
            received.Enqueue((ctx.Request.Headers[WebhookSender.SignatureHeader].ToString(), ctx.Request.Headers[WebhookSender.TimestampHeader].ToString(), ms.ToArray()));
            return Results.Ok();
        });
        await receiver.StartAsync();

        await using var origin = await SyntheticLiveOrigin.StartAsync();
        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?>
        {
            ["Recorder:BaseUrl"] = origin.Origin.BaseUrl,
            ["Recorder:Webhooks:Urls:0"] = receiver.Urls.First() + "/hook",
            ["Recorder:Webhooks:Secret"] = "s3cret",
            ["Recorder:Webhooks:RetryDelay"] = "00:00:00.100",
        });
        await StartAsync(host, origin.PlaylistPath);
        await RecorderHost.WaitUntilAsync(() => received.Any(r => r.Body.Length > 0 && Encoding.UTF8.GetString(r.Body).Contains("\"record.start\"")), Wait, "record.start webhook (after a retry)");
        var (signature, timestamp, body) = received.First(r => Encoding.UTF8.GetString(r.Body).Contains("\"record.start\""));
        Assert.True(Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture)) < 120, timestamp);
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("s3cret"u8, [.. Encoding.ASCII.GetBytes(timestamp + "."), .. body])), signature);
        Assert.True(WebhookSender.Verify("s3cret", timestamp, signature, body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSender.Verify("s3cret", timestamp, signature, body, DateTimeOffset.UtcNow.AddMinutes(10), TimeSpan.FromMinutes(5))); // a replay later
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("record.start", doc.RootElement.GetProperty("type").GetString());
        Assert.True(doc.RootElement.TryGetProperty("id", out _));
        Assert.True(doc.RootElement.TryGetProperty("time", out _));
        Assert.Equal("news", doc.RootElement.GetProperty("data").GetProperty("recording").GetString());
        await host.Manager.StopRecordingAsync("news");
        await receiver.StopAsync();
    }

    [Fact]
    public async Task Unwritable_output_pauses_the_recording_with_an_error_event_and_it_resumes_when_fixed()
    {
        await using var origin = await SyntheticLiveOrigin.StartAsync();
        for (var s = 0; s <= 3; s++)
        {
            origin.Append(s, s);
        }
        var blocker = Path.Combine(_out, "news");
        await File.WriteAllTextAsync(blocker, "a file where the recording's folder should be");
        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?> { ["Recorder:BaseUrl"] = origin.Origin.BaseUrl });
        await StartAsync(host, origin.PlaylistPath);
        var error = await host.WaitForEventAsync<RecorderErrorEventArgs>(e => e.Stage == "write", Wait);
        Assert.Equal(RecordingState.Paused, host.Manager.Get("news")!.State);
        File.Delete(blocker);
        await RecordedAsync(host, 3);
        await RecorderHost.WaitUntilAsync(() => host.Manager.Get("news")!.State == RecordingState.Recording, Wait, "recording state");
        origin.Append(4, 4);
        await RecordedAsync(host, 4);
        await host.Manager.StopRecordingAsync("news");
        var status = host.Manager.Get("news")!;
        Assert.Equal((3L, 4L), (status.Parts.Single().FirstSequence, status.Parts.Single().LastSequence));
        Assert.Empty(status.Gaps);
        _ = error;
    }

    [Fact]
    public async Task Master_playlist_best_variant_with_byte_range_segments_and_endlist_is_recorded_whole()
    {
        var (ts, _, _) = await TestMedia.GetAsync();
        await using var origin = await TestOrigin.StartAsync();
        var big = ts.Take(4).SelectMany(b => b).ToArray();
        origin.Set("/vod/all.ts", big);
        var playlist = new System.Text.StringBuilder("#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n");
        long offset = 0;
        foreach (var seg in ts.Take(4))
        {
            playlist.Append("#EXTINF:1.0,\n#EXT-X-BYTERANGE:").Append(seg.Length).Append('@').Append(offset).Append("\nall.ts\n");
            offset += seg.Length;
        }
        playlist.Append("#EXT-X-ENDLIST\n");
        origin.Set("/vod/high.m3u8", playlist.ToString());
        origin.Set("/vod/master.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000\nmissing-low.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=160x90\nhigh.m3u8\n");

        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?> { ["Recorder:BaseUrl"] = origin.BaseUrl });
        await StartAsync(host, "/vod/master.m3u8");
        await host.WaitForEventAsync<RecordEndEventArgs>(e => e.Reason == "ended", Wait);
        var part = (await host.WaitForEventAsync<RecordPartEventArgs>(e => e.Part.Number == 1, Wait)).Part;
        Assert.Equal((0L, 3L, "ended"), (part.FirstSequence, part.LastSequence, part.CloseReason));
        Assert.True(part.State == PartState.Remuxed, part.Error);
        Assert.InRange(await TestMedia.ProbeSecondsAsync(Path.Combine(_out, part.Mp4Path!)), 3.5, 4.5);
        Assert.Equal(0, origin.Hits("/vod/missing-low.m3u8"));
        Assert.All(origin.Requests.Where(r => r.Path.StartsWith("/vod/all.ts", StringComparison.Ordinal)), r => Assert.NotNull(r.Range));
        Assert.Equal(RecordingState.Stopped, host.Manager.Get("news")!.State);
        await host.WaitForEventAsync<StreamEndEventArgs>(e => e.Reason == "ended", Wait);
    }

    [Fact]
    public async Task Aes128_segments_are_recorded_as_received_with_the_key_uri_noted()
    {
        var (ts, _, _) = await TestMedia.GetAsync();
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/enc/s0.ts", ts[0]);
        origin.Set("/enc/s1.ts", ts[1]);
        origin.Set("/enc/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-KEY:METHOD=AES-128,URI=\"https://keys.example/k/7\",IV=0x0000000000000000000000000000000A\n#EXTINF:1.0,\ns0.ts\n#EXTINF:1.0,\ns1.ts\n#EXT-X-ENDLIST\n");
        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?> { ["Recorder:BaseUrl"] = origin.BaseUrl });
        await StartAsync(host, "/enc/index.m3u8");
        var part = (await host.WaitForEventAsync<RecordPartEventArgs>(e => e.Part.Number == 1, Wait)).Part;
        Assert.Equal(["https://keys.example/k/7"], part.KeyUris);
        Assert.Equal(PartState.Kept, part.State);
        Assert.Equal(ts[0].Concat(ts[1]).ToArray(), await File.ReadAllBytesAsync(Path.Combine(_out, part.RawPath)));
    }
}
