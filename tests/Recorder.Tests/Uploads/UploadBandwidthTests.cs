using System.Diagnostics;
using System.Globalization;
using HlsGateway.Recorder.Uploads;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Uploads;

/// <summary>
/// <c>Recorder:Upload:MaxBytesPerSecond</c>: the cap holds (lower bounds on elapsed time only, which a slow machine
/// cannot break), is shared between concurrent uploads, and an upload held to it still completes byte-identical.
/// </summary>
public sealed class UploadBandwidthTests
{
    [Fact]
    public void Unlimited_never_waits()
    {
        using var unlimited = new UploadBandwidth(0);
        Assert.Equal(0, unlimited.BytesPerSecond);
        Assert.True(unlimited.AcquireAsync(int.MaxValue, CancellationToken.None).IsCompletedSuccessfully);
        Assert.True(UploadBandwidth.Unlimited.AcquireAsync(1 << 30, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Concurrent_acquirers_share_one_cap()
    {
        const int rate = 1024 * 1024;
        using var bandwidth = new UploadBandwidth(rate);
        var clock = Stopwatch.StartNew();
        // 2 × 1 MiB at 1 MiB/s with a 100 ms burst: at least ~1.9 s however the two interleave
        await Task.WhenAll(
            Task.Run(async () => { for (var i = 0; i < 16; i++) { await bandwidth.AcquireAsync(64 * 1024, CancellationToken.None); } }),
            Task.Run(async () => { for (var i = 0; i < 16; i++) { await bandwidth.AcquireAsync(64 * 1024, CancellationToken.None); } }));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.7), $"2 MiB went out in {clock.Elapsed.TotalSeconds:0.00} s under a 1 MiB/s cap");
    }

    [Fact]
    public async Task A_request_larger_than_the_burst_is_taken_in_pieces_and_can_be_cancelled()
    {
        using var bandwidth = new UploadBandwidth(256 * 1024);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await bandwidth.AcquireAsync(10 * 1024 * 1024, cts.Token));
    }

    [Fact]
    public async Task The_blocking_form_holds_the_same_shared_cap_and_can_be_cancelled()
    {
        const int rate = 1024 * 1024;
        using var bandwidth = new UploadBandwidth(rate);
        var clock = Stopwatch.StartNew();
        // upload threads use the blocking form; two of them at once share the cap like async acquirers
        await Task.WhenAll(
            Task.Factory.StartNew(() => { for (var i = 0; i < 16; i++) { bandwidth.Acquire(64 * 1024, CancellationToken.None); } }, TaskCreationOptions.LongRunning),
            Task.Factory.StartNew(() => { for (var i = 0; i < 16; i++) { bandwidth.Acquire(64 * 1024, CancellationToken.None); } }, TaskCreationOptions.LongRunning));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.7), $"2 MiB went out in {clock.Elapsed.TotalSeconds:0.00} s under a 1 MiB/s cap");

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.ThrowsAny<OperationCanceledException>(() => bandwidth.Acquire(10 * 1024 * 1024, cts.Token));
        UploadBandwidth.Unlimited.Acquire(int.MaxValue, new CancellationToken(canceled: true)); // unlimited returns at once
    }

    private sealed class Load(double rps) : HlsGateway.Monitor.Stats.IServingLoad
    {
        public double RequestsPerSecond { get; set; } = rps;
    }

    [Fact]
    public async Task The_busy_cap_applies_only_while_players_are_served()
    {
        var load = new Load(0);
        using var bandwidth = new UploadBandwidth(0, 1024 * 1024, load, busyRequestsPerSecond: 50);
        Assert.Equal(1024 * 1024, bandwidth.BusyBytesPerSecond);

        // idle (0 and then 49 req/s): nothing waits, however much goes out
        Assert.False(bandwidth.PlayersBusy);
        Assert.True(bandwidth.AcquireAsync(64 * 1024 * 1024, CancellationToken.None).IsCompletedSuccessfully);
        load.RequestsPerSecond = 49;
        Assert.True(bandwidth.AcquireAsync(64 * 1024 * 1024, CancellationToken.None).IsCompletedSuccessfully);

        // busy: 2 MiB under a 1 MiB/s busy cap takes at least ~1.7 s
        load.RequestsPerSecond = 50;
        Assert.True(bandwidth.PlayersBusy);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 32; i++)
        {
            await bandwidth.AcquireAsync(64 * 1024, CancellationToken.None);
        }
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.7), $"2 MiB went out in {clock.Elapsed.TotalSeconds:0.00} s while busy under a 1 MiB/s cap");

        // players gone: full speed again at once
        load.RequestsPerSecond = 0;
        Assert.True(bandwidth.AcquireAsync(64 * 1024 * 1024, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void Without_a_load_signal_there_is_no_busy_cap()
    {
        using var bandwidth = new UploadBandwidth(0, 1024 * 1024, load: null);
        Assert.Equal(0, bandwidth.BusyBytesPerSecond);
        Assert.False(bandwidth.PlayersBusy);
        Assert.True(bandwidth.AcquireAsync(64 * 1024 * 1024, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task In_the_gateway_the_busy_cap_follows_the_players_it_serves()
    {
        var o = new UploadOptions();
        Assert.Equal(25L * 1024 * 1024, o.BusyMaxBytesPerSecond);
        Assert.Equal(50, o.BusyRequestsPerSecond);
        Assert.Equal(0, o.MaxBytesPerSecond);

        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Recorder:Upload:BusyRequestsPerSecond"] = "5" });
        var bandwidth = gw.Services.GetRequiredService<UploadBandwidth>();
        Assert.Equal(25L * 1024 * 1024, bandwidth.BusyBytesPerSecond); // the request window is wired in as the load signal
        Assert.False(bandwidth.PlayersBusy);

        // players arrive: bursts of playlist requests until a complete second counted at least 5
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!bandwidth.PlayersBusy)
        {
            Assert.True(DateTime.UtcNow < until, "the gateway never counted as busy while serving bursts of requests");
            await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ => (await gw.Client.GetAsync("/hls/demo/vod.m3u8")).Dispose()));
            await Task.Delay(100);
        }

        // players gone: within a couple of seconds the busy cap no longer applies
        until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (bandwidth.PlayersBusy)
        {
            Assert.True(DateTime.UtcNow < until, "still busy long after the requests stopped");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_tus_upload_under_the_cap_takes_at_least_its_share_of_time_and_lands_byte_identical()
    {
        await using var t = new UploadTestSupport();
        var port = LocalProcess.FreeTcpPort();
        await using var server = await NodeServers.StartAsync("tus-server.mjs", port, port.ToString(CultureInfo.InvariantCulture), t.TargetDir);
        const int size = 3 * 1024 * 1024;
        var (p, sha) = t.MakePart("cam/capped.mp4", size);
        using var http = new HttpClient();
        using var bandwidth = new UploadBandwidth(4 * 1024 * 1024);
        var queue = await t.StartQueueAsync(UploadTestSupport.FastOptions(), new TusUploadTarget(http, new Uri($"http://127.0.0.1:{port}/files/"), 1024 * 1024, bandwidth));
        var clock = Stopwatch.StartNew();
        queue.Enqueue("cam", 1, p);
        var s = await UploadTestSupport.WaitForAsync(queue, p, s => s.State is UploadState.Done or UploadState.Failed);
        clock.Stop();
        Assert.True(s.State == UploadState.Done, s.Error + "\n" + server.Output);
        Assert.Equal(sha, UploadTestSupport.Sha256Of(Path.Combine(t.TargetDir, s.RemoteId!.Split('/')[^1])));
        // 3 MiB up and 3 MiB read back for verification, both under the 4 MiB/s cap: at least ~1.4 s
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.3), $"6 MiB of upload traffic in {clock.Elapsed.TotalSeconds:0.00} s under a 4 MiB/s cap");
    }
}
