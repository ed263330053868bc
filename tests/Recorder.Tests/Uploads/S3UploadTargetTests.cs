using System.Globalization;
using System.Text.RegularExpressions;
using HlsGateway.Recorder.Uploads;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Uploads;

/// <summary>The S3 target (AWSSDK.S3) against s3rver run by node on loopback.</summary>
public partial class S3UploadTargetTests
{
    private const int PartSize = 5 * 1024 * 1024;

    private static S3UploadOptions Options(int port) => new()
    {
        ServiceUrl = $"http://127.0.0.1:{port}",
        Bucket = "recordings",
        Prefix = "gw/",
        AccessKey = "S3RVER",
        SecretKey = "S3RVER",
        PartSize = PartSize,
    };

    [Fact]
    public async Task Multipart_upload_through_the_queue_is_verified_by_re_reading_the_object()
    {
        await using var t = new UploadTestSupport();
        var port = LocalProcess.FreeTcpPort();
        await using var server = await NodeServers.StartAsync("s3-server.mjs", port, port.ToString(CultureInfo.InvariantCulture), t.TargetDir, "recordings");
        var (p, sha) = t.MakePart("cam/p001.mp4", 2 * PartSize + 4321);
        using var target = new S3UploadTarget(Options(port));
        var queue = await t.StartQueueAsync(UploadTestSupport.FastOptions(o => o.DeleteAfterUpload = true), target);
        queue.Enqueue("cam", 1, p);
        var s = await UploadTestSupport.WaitForAsync(queue, p, s => s.State is UploadState.Done or UploadState.Failed, TimeSpan.FromSeconds(60));
        Assert.True(s.State == UploadState.Done, s.Error + "\n" + server.Output);
        Assert.Equal("s3://recordings/gw/cam/p001.mp4", s.RemoteId);
        Assert.False(File.Exists(Path.Combine(t.Root, p)));
        Assert.Equal(3, PartPuts(server.Output).Count);
        using var http = new HttpClient();
        var bytes = await http.GetByteArrayAsync($"http://127.0.0.1:{port}/recordings/gw/cam/p001.mp4");
        Assert.Equal(sha, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    [Fact]
    public async Task An_interrupted_multipart_upload_resumes_without_resending_acknowledged_parts()
    {
        await using var t = new UploadTestSupport();
        var port = LocalProcess.FreeTcpPort();
        var store = t.TargetDir;
        var (p, sha) = t.MakePart("cam/p002.mp4", 3 * PartSize + 99);
        var full = Path.Combine(t.Root, p);
        string? saved = null;

        // first run: the process "dies" right after S3 acknowledged part 2 (the journal has the upload id + 2 ETags)
        await using (var first = await NodeServers.StartAsync("s3-server.mjs", port, port.ToString(CultureInfo.InvariantCulture), store, "recordings"))
        {
            using var target = new S3UploadTarget(Options(port));
            var request = new UploadRequest(full, p, new FileInfo(full).Length, sha, null, (state, _) =>
            {
                saved = state;
                if (state is not null && S3ResumeState.Parse(state)!.Parts.Count == 2)
                {
                    throw new OperationCanceledException("simulated crash");
                }
                return ValueTask.CompletedTask;
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await target.UploadAsync(request, new Progress<long>(), CancellationToken.None));
            Assert.Equal([1, 2], PartPuts(first.Output));
            first.Kill();
        }

        // restarted server on the same directory, new target instance, the saved token
        await using var second = await NodeServers.StartAsync("s3-server.mjs", port, port.ToString(CultureInfo.InvariantCulture), store, "recordings");
        using var target2 = new S3UploadTarget(Options(port));
        var reports = new List<long>();
        var result = await target2.UploadAsync(new UploadRequest(full, p, new FileInfo(full).Length, sha, saved, (_, _) => ValueTask.CompletedTask),
            new SyncProgress(reports.Add), CancellationToken.None);
        Assert.Equal(sha, result.VerifiedSha256);
        Assert.Equal(2L * PartSize, reports[0]);
        Assert.Equal([3, 4], PartPuts(second.Output));
        // s3rver 3.7.1 has no ListParts (GET ?uploadId= answers 405), so the resume came from the journal's ETag list
        Assert.Matches(@"\?uploadId=\S+ 405 ", second.Output);
    }

    /// <summary>Part numbers s3rver logged as stored ("Stored part N of &lt;uploadId&gt; in bucket ...").</summary>
    private static List<int> PartPuts(string log) =>
        PartPut().Matches(log).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    [GeneratedRegex(@"Stored part (\d+) of \S+ in bucket ""recordings""")]
    private static partial Regex PartPut();

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
