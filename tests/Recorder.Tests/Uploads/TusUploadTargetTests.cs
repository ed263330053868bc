using System.Globalization;
using System.Text.RegularExpressions;
using HlsGateway.Recorder.Uploads;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Uploads;

/// <summary>The tus target against the reference server (@tus/server + @tus/file-store) run by node on loopback.</summary>
public partial class TusUploadTargetTests
{
    private const int Chunk = 256 * 1024;

    [Fact]
    public async Task Uploads_in_chunks_and_verifies_by_re_reading()
    {
        await using var t = new UploadTestSupport();
        var port = LocalProcess.FreeTcpPort();
        await using var server = await NodeServers.StartAsync("tus-server.mjs", port, port.ToString(CultureInfo.InvariantCulture), t.TargetDir);
        var (p, sha) = t.MakePart("cam/p001.mp4", 1024 * 1024 + 123);
        using var http = new HttpClient();
        var queue = await t.StartQueueAsync(UploadTestSupport.FastOptions(o => o.DeleteAfterUpload = true),
            new TusUploadTarget(http, new Uri($"http://127.0.0.1:{port}/files/"), Chunk));
        queue.Enqueue("cam", 1, p);
        var s = await UploadTestSupport.WaitForAsync(queue, p, s => s.State is UploadState.Done or UploadState.Failed);
        Assert.True(s.State == UploadState.Done, s.Error + "\n" + server.Output);
        Assert.StartsWith($"http://127.0.0.1:{port}/files/", s.RemoteId);
        Assert.Equal(sha, UploadTestSupport.Sha256Of(Path.Combine(t.TargetDir, s.RemoteId!.Split('/')[^1])));
        Assert.False(File.Exists(Path.Combine(t.Root, p)));
        Assert.Equal(5, Patches(server.Output).Count); // 4 full chunks + 123 bytes
    }

    [Fact]
    public async Task Killing_the_server_mid_upload_resumes_from_the_acknowledged_offset_after_restart()
    {
        await using var t = new UploadTestSupport();
        var port = LocalProcess.FreeTcpPort();
        var store = t.TargetDir;
        var (p, sha) = t.MakePart("cam/big.mp4", 4 * 1024 * 1024 + 5);
        using var http = new HttpClient();
        var options = UploadTestSupport.FastOptions(o =>
        {
            o.MaxAttempts = 30;
            o.RetryDelay = TimeSpan.FromMilliseconds(200);
            o.MaxRetryDelay = TimeSpan.FromSeconds(1);
        });
        var target = new TusUploadTarget(http, new Uri($"http://127.0.0.1:{port}/files/"), Chunk);

        // slow server (150 ms per PATCH) so the kill lands mid-upload
        var first = await NodeServers.StartAsync("tus-server.mjs", port, port.ToString(CultureInfo.InvariantCulture), store, "150");
        var queue = await t.StartQueueAsync(options, target);
        queue.Enqueue("cam", 1, p);
        var before = await UploadTestSupport.WaitForAsync(queue, p, s => s.BytesSent >= 1024 * 1024);
        Assert.Equal(UploadState.Uploading, before.State);
        Assert.True(before.BytesPerSecond > 0, $"speed {before.BytesPerSecond}");
        Assert.True(before.EtaSeconds > 0, $"eta {before.EtaSeconds}");
        first.Kill();
        await first.WaitForExitAsync();
        var firstLog = first.Output;
        await first.DisposeAsync();
        var acknowledged = Patches(firstLog).Where(x => x.Status == 204).Max(x => x.Out);
        Assert.True(acknowledged >= 1024 * 1024 && acknowledged < 4 * 1024 * 1024, firstLog);

        // down for a while: the queue backs off and keeps the part queued/uploading, not failed
        await Task.Delay(1500);
        var during = queue.Snapshot().Single(x => x.Path == p);
        Assert.NotEqual(UploadState.Failed, during.State);
        Assert.NotEqual(UploadState.Done, during.State);

        await using var second = await NodeServers.StartAsync("tus-server.mjs", port, port.ToString(CultureInfo.InvariantCulture), store);
        var s = await UploadTestSupport.WaitForAsync(queue, p, s => s.State is UploadState.Done or UploadState.Failed);
        Assert.True(s.State == UploadState.Done, s.Error + "\n" + second.Output);
        Assert.True(s.Attempts > 1);

        var secondLog = second.Output;
        var heads = Regex.Matches(secondLog, @"^HEAD .* -> 200 out=(\d+)", RegexOptions.Multiline);
        Assert.True(heads.Count >= 1, secondLog);
        var resumedAt = long.Parse(heads[0].Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(resumedAt >= acknowledged, $"server offset {resumedAt} < acknowledged {acknowledged}\n{secondLog}");
        var patches = Patches(secondLog);
        Assert.NotEmpty(patches);
        Assert.Equal(resumedAt, patches[0].In);
        Assert.DoesNotContain(patches, x => x.In == 0);        // never restarted from 0
        Assert.DoesNotContain("POST", secondLog);             // same upload, not a new one
        Assert.True(patches.Count <= (int)Math.Ceiling((4.0 * 1024 * 1024 + 5 - resumedAt) / Chunk), secondLog);

        Assert.Equal(sha, UploadTestSupport.Sha256Of(Path.Combine(store, s.RemoteId!.Split('/')[^1])));
        var start = t.Events.OfType<UploadStartEventArgs>().Last(e => e.Path == p);
        Assert.True(start.ResumeFrom >= before.BytesSent);
    }

    private static List<(long In, int Status, long Out)> Patches(string log) =>
        PatchLine().Matches(log).Select(m => (
            long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
            m.Groups[3].Value == "-" ? -1 : long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture))).ToList();

    [GeneratedRegex(@"^PATCH \S+ in=(\d+) -> (\d+) out=(\S+)", RegexOptions.Multiline)]
    private static partial Regex PatchLine();
}
