using System.Diagnostics;
using System.Globalization;
using HlsGateway.Recorder.Uploads;
using HlsGateway.Tests.Common;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Uploads;

/// <summary>
/// Uploads one file with the tus and directory targets and checks it arrives intact; reports the throughput
/// (no timing assertion). benchmarks/run-upload-bench.sh runs it with a big file and its own tus server:
/// UPLOAD_BENCH_MB (file size, default 8), UPLOAD_BENCH_TUS_URL (use that server), UPLOAD_BENCH_OUT (JSON lines), UPLOAD_BENCH_CHUNK (tus chunk bytes).
/// </summary>
public class UploadThroughputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Tus_and_directory_targets_upload_a_large_file_intact()
    {
        var mb = int.TryParse(Environment.GetEnvironmentVariable("UPLOAD_BENCH_MB"), CultureInfo.InvariantCulture, out var m) ? m : 8;
        var tusUrl = Environment.GetEnvironmentVariable("UPLOAD_BENCH_TUS_URL");
        var outFile = Environment.GetEnvironmentVariable("UPLOAD_BENCH_OUT");
        var chunk = int.TryParse(Environment.GetEnvironmentVariable("UPLOAD_BENCH_CHUNK"), CultureInfo.InvariantCulture, out var c) ? c : new UploadOptions().ChunkSize;
        await using var t = new UploadTestSupport();
        var file = Path.Combine(t.Root, "bench.bin");
        await using (var f = File.Create(file))
        {
            var block = new byte[1024 * 1024];
            var random = new Random(42);
            for (var i = 0; i < mb; i++)
            {
                random.NextBytes(block);
                await f.WriteAsync(block);
            }
        }
        var sha = UploadTestSupport.Sha256Of(file);
        long length = mb * 1024L * 1024;
        var lines = new List<string>();

        LocalProcess? server = null;
        if (string.IsNullOrEmpty(tusUrl))
        {
            var port = LocalProcess.FreeTcpPort();
            server = await NodeServers.StartAsync("tus-server.mjs", port, port.ToString(CultureInfo.InvariantCulture), Directory.CreateTempSubdirectory("upl-tus-").FullName);
            tusUrl = $"http://127.0.0.1:{port}/files/";
        }
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            var tus = new TusUploadTarget(http, new Uri(tusUrl), chunk);
            // first run warms JIT and the connection pool; the second is the figure
            lines.Add(await MeasureAsync("tus-target-cold", tus, file, length, sha, chunk));
            lines.Add(await MeasureAsync("tus-target", tus, file, length, sha, chunk));
            var dir = new LocalDirectoryTarget(t.TargetDir, 0);
            lines.Add(await MeasureAsync("directory-target", dir, file, length, sha, 0));
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
        foreach (var line in lines)
        {
            output.WriteLine(line);
        }
        if (!string.IsNullOrEmpty(outFile))
        {
            await File.AppendAllLinesAsync(outFile, lines);
        }
    }

    private static async Task<string> MeasureAsync(string label, IUploadTarget target, string file, long length, string sha, int chunk)
    {
        var clock = Stopwatch.StartNew();
        var transferred = TimeSpan.Zero;
        var progress = new SyncProgress(v =>
        {
            if (v >= length && transferred == TimeSpan.Zero)
            {
                transferred = clock.Elapsed; // every byte acknowledged; what follows is verification
            }
        });
        var result = await target.UploadAsync(new UploadRequest(file, "bench/" + label + ".bin", length, sha, null, (_, _) => ValueTask.CompletedTask), progress, CancellationToken.None);
        var total = clock.Elapsed;
        Assert.Equal(sha, result.VerifiedSha256);
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"label\":\"{label}\",\"chunk\":{chunk},\"bytes\":{length},\"transfer_s\":{transferred.TotalSeconds:F3},\"transfer_MBps\":{length / 1048576.0 / transferred.TotalSeconds:F1},\"with_verify_s\":{total.TotalSeconds:F3},\"with_verify_MBps\":{length / 1048576.0 / total.TotalSeconds:F1}}}");
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
