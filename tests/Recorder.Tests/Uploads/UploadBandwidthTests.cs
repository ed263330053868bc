using System.Diagnostics;
using System.Globalization;
using HlsGateway.Recorder.Uploads;
using HlsGateway.Tests.Common;

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
