using HlsGateway.Recorder.Uploads;
using Microsoft.Extensions.Logging.Abstractions;

namespace HlsGateway.Tests.Uploads;

/// <summary>
/// <c>Recorder:Upload:CpuPriority</c>: upload work runs on dedicated threads that the kernel schedules at the configured
/// priority (read back from <c>/proc/thread-self/stat</c>), results and errors come back to the pool, and the bytes
/// of a tus PATCH body are written from those threads.
/// </summary>
public sealed class UploadThreadsTests
{
    /// <summary>(nice, scheduling policy) of the calling thread, as the kernel reports them.</summary>
    private static (int Nice, int Policy) CurrentThreadScheduling()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state): nice is field 19, policy field 41
        return (int.Parse(fields[19 - 3]), int.Parse(fields[41 - 3]));
    }

    [Theory]
    [InlineData(UploadCpuPriority.Low, 19, 0)]  // SCHED_OTHER at nice 19
    [InlineData(UploadCpuPriority.Idle, -1, 5)] // SCHED_IDLE (nice is not used by it), no floor
    public async Task Work_runs_on_threads_at_the_configured_priority(UploadCpuPriority priority, int nice, int policy)
    {
        Assert.True(OperatingSystem.IsLinux(), "the suite runs on Linux");
        using var threads = new UploadThreads(2, priority, NullLogger.Instance);
        for (var i = 0; i < 4; i++) // every thread of the set, not only the first
        {
            var (actualNice, actualPolicy) = await threads.RunAsync(CurrentThreadScheduling, CancellationToken.None);
            Assert.Equal(policy, actualPolicy);
            if (nice >= 0)
            {
                Assert.Equal(nice, actualNice);
            }
        }
        var name = await threads.RunAsync(() => Thread.CurrentThread.Name, CancellationToken.None);
        Assert.StartsWith("upload-", name);
    }

    [Fact]
    public async Task With_a_floor_work_under_it_runs_at_normal_priority_and_the_rest_at_idle_priority()
    {
        const int piece = 256 * 1024;
        using var threads = new UploadThreads(1, UploadCpuPriority.Idle, NullLogger.Instance, minBytesPerSecond: 1024 * 1024);
        if (!UploadThreads.CanLeaveIdle())
        {
            // no CAP_SYS_NICE and RLIMIT_NICE < 20 here: what the product does then is the fallback
            Assert.Equal(UploadCpuPriority.Normal, threads.Priority);
            return;
        }
        Assert.Equal(1024 * 1024, threads.MinBytesPerSecond);

        // a full bucket (one second of floor = 4 pieces) covers the first pieces; the next ones find it empty
        var policies = await threads.RunAsync(() =>
        {
            var seen = new List<int>();
            for (var i = 0; i < 8; i++)
            {
                threads.Pace(piece);
                seen.Add(CurrentThreadScheduling().Policy);
            }
            return seen;
        }, CancellationToken.None);
        Assert.Equal(0, policies[0]); // SCHED_OTHER: under the floor
        Assert.Equal(5, policies[^1]); // SCHED_IDLE: above it
        var (boosted, idle) = threads.PacedBytes;
        Assert.Equal(8L * piece, boosted + idle);
        Assert.InRange(boosted, 4L * piece, 7L * piece);

        // the bucket refills at the floor rate: after a second the next piece is covered again
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Equal(0, await threads.RunAsync(() =>
        {
            threads.Pace(piece);
            return CurrentThreadScheduling().Policy;
        }, CancellationToken.None));

        // on any other thread (e.g. a caller of the blocking HttpClient.Send path) Pace changes nothing
        var before = await Task.Run(CurrentThreadScheduling);
        Assert.Equal(before, await Task.Run(() =>
        {
            for (var i = 0; i < 8; i++)
            {
                threads.Pace(piece);
            }
            return CurrentThreadScheduling();
        }));
    }

    [Fact]
    public async Task Without_a_way_back_from_idle_priority_the_floor_falls_back_to_normal_priority()
    {
        // with CAP_SYS_NICE (root here and in CI) the probe succeeds; without it and RLIMIT_NICE < 20, the fallback
        using (var probed = new UploadThreads(1, UploadCpuPriority.Idle, NullLogger.Instance, 8 * 1024 * 1024))
        {
            Assert.Equal(UploadThreads.CanLeaveIdle() ? UploadCpuPriority.Idle : UploadCpuPriority.Normal, probed.Priority);
        }
        using var threads = new UploadThreads(1, UploadCpuPriority.Idle, NullLogger.Instance, 8 * 1024 * 1024, canLeaveIdle: false);
        Assert.Equal(UploadCpuPriority.Normal, threads.Priority);
        Assert.Equal(0, threads.MinBytesPerSecond);
        Assert.Equal(await Task.Run(CurrentThreadScheduling), await threads.RunAsync(CurrentThreadScheduling, CancellationToken.None));

        // without a floor nothing needs the way back: idle priority as asked
        using var noFloor = new UploadThreads(1, UploadCpuPriority.Idle, NullLogger.Instance, 0, canLeaveIdle: false);
        Assert.Equal(UploadCpuPriority.Idle, noFloor.Priority);
        Assert.Equal(5, (await noFloor.RunAsync(CurrentThreadScheduling, CancellationToken.None)).Policy);
    }

    [Fact]
    public async Task Normal_priority_matches_the_pool_and_continuations_never_run_on_upload_threads()
    {
        using var threads = new UploadThreads(1, UploadCpuPriority.Normal, NullLogger.Instance);
        var pool = await Task.Run(CurrentThreadScheduling);
        Assert.Equal(pool, await threads.RunAsync(CurrentThreadScheduling, CancellationToken.None));

        await threads.RunAsync(() => Thread.Sleep(1), CancellationToken.None);
        Assert.False(Thread.CurrentThread.Name?.StartsWith("upload-", StringComparison.Ordinal) ?? false, "the awaiting code resumed on an upload thread");
    }

    [Fact]
    public async Task Errors_and_cancellation_come_back_to_the_caller()
    {
        using var threads = new UploadThreads(1, UploadCpuPriority.Low, NullLogger.Instance);
        var error = await Assert.ThrowsAsync<IOException>(() => threads.RunAsync<int>(() => throw new IOException("disk"), CancellationToken.None));
        Assert.Equal("disk", error.Message);

        // a queued item whose token is cancelled before it starts never runs
        using var gate = new ManualResetEventSlim();
        var blocker = threads.RunAsync(() => gate.Wait(TimeSpan.FromSeconds(10)), CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var ran = false;
        var queued = threads.RunAsync(() => ran = true, cts.Token);
        cts.Cancel();
        gate.Set();
        await blocker;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        Assert.False(ran);

        threads.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => threads.RunAsync(() => 1, CancellationToken.None));
    }

    [Fact]
    public async Task A_PATCH_body_is_read_and_written_on_low_priority_threads_and_is_the_exact_slice()
    {
        var path = Path.Combine(Path.GetTempPath(), $"slice-{Guid.NewGuid():N}.bin");
        var data = new byte[3 * 1024 * 1024 + 17];
        Random.Shared.NextBytes(data);
        await File.WriteAllBytesAsync(path, data);
        try
        {
            using var threads = new UploadThreads(1, UploadCpuPriority.Low, NullLogger.Instance);
            using var content = new FileSliceContent(path, 1000, data.Length - 2000, UploadBandwidth.Unlimited, threads);
            var sink = new NiceRecordingStream();
            await content.CopyToAsync(sink, null, CancellationToken.None);
            Assert.Equal(data.AsSpan(1000, data.Length - 2000).ToArray(), sink.Written.ToArray());
            Assert.NotEmpty(sink.NiceOfEachWrite);
            Assert.All(sink.NiceOfEachWrite, n => Assert.Equal(19, n));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A body sink that notes the nice value of the thread of every write.</summary>
    private sealed class NiceRecordingStream : Stream
    {
        public MemoryStream Written { get; } = new();

        public List<int> NiceOfEachWrite { get; } = [];

        public override void Write(byte[] buffer, int offset, int count)
        {
            NiceOfEachWrite.Add(CurrentThreadScheduling().Nice);
            Written.Write(buffer, offset, count);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            NiceOfEachWrite.Add(CurrentThreadScheduling().Nice);
            Written.Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written.Length;
        public override long Position { get => Written.Length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
