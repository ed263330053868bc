using HlsGateway.Recorder;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Uploads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Uploads;

public class UploadQueueTests
{
    [Fact]
    public async Task Record_part_events_are_uploaded_to_the_directory_verified_then_deleted()
    {
        await using var t = new UploadTestSupport();
        var (p1, sha1) = t.MakePart("cam/p001.mp4", 3 * 1024 * 1024 + 17);
        var (p2, sha2) = t.MakePart("cam/p002.ts", 512 * 1024);
        var queue = await t.StartQueueAsync(UploadTestSupport.FastOptions(o => o.DeleteAfterUpload = true), new LocalDirectoryTarget(t.TargetDir, 0));

        t.Bus.Publish(new RecordPartEventArgs("cam", DateTimeOffset.UtcNow, new PartInfo { Number = 1, RawPath = "cam/p001.ts", Mp4Path = p1, State = PartState.Remuxed }));
        t.Bus.Publish(new RecordPartEventArgs("cam", DateTimeOffset.UtcNow, new PartInfo { Number = 2, RawPath = p2, State = PartState.Kept }));

        var s1 = await UploadTestSupport.WaitForAsync(queue, p1, s => s.State == UploadState.Done);
        var s2 = await UploadTestSupport.WaitForAsync(queue, p2, s => s.State == UploadState.Done);
        Assert.Equal(sha1, UploadTestSupport.Sha256Of(Path.Combine(t.TargetDir, "cam", "p001.mp4")));
        Assert.Equal(sha2, UploadTestSupport.Sha256Of(Path.Combine(t.TargetDir, "cam", "p002.ts")));
        Assert.Equal(s1.Bytes, s1.BytesSent);
        Assert.Equal(1, s1.Attempts);
        Assert.Equal(2, s2.Part);
        Assert.False(File.Exists(Path.Combine(t.Root, p1)));
        Assert.False(File.Exists(Path.Combine(t.Root, p2)));
        Assert.Empty(Directory.GetFiles(t.TargetDir, "*.uploading", SearchOption.AllDirectories));

        // events: start, progress and end for each part (the bus delivers them in order)
        await Poll.UntilAsync(() => t.Events.Count(e => e.Type == "upload.end") == 2, TimeSpan.FromSeconds(30));
        var types = t.Events.Select(e => e.Type).ToList();
        Assert.Equal(2, types.Count(x => x == "upload.start"));
        Assert.Contains("upload.progress", types);
        var end = t.Events.OfType<UploadEndEventArgs>().Single(e => e.Path == p1);
        Assert.Equal(sha1, end.Sha256);
        Assert.True(end.LocalDeleted);

        // the journal says so too
        var journal = await File.ReadAllTextAsync(queue.JournalPath);
        Assert.Contains("\"done\"", journal);
    }

    [Fact]
    public async Task Local_files_are_kept_when_deletion_is_off()
    {
        await using var t = new UploadTestSupport();
        var (p, _) = t.MakePart("cam/keep.mp4", 100_000);
        // roots given with a trailing separator work the same
        var queue = await t.StartQueueAsync(UploadTestSupport.FastOptions(), new LocalDirectoryTarget(t.TargetDir + Path.DirectorySeparatorChar, 0));
        Assert.True(queue.Enqueue("cam", 1, p));
        Assert.False(queue.Enqueue("cam", 2, "../outside.mp4"));
        await UploadTestSupport.WaitForAsync(queue, p, s => s.State == UploadState.Done);
        Assert.True(File.Exists(Path.Combine(t.Root, p)));
        Assert.False(queue.Enqueue("cam", 1, p)); // already uploaded: not queued twice
    }

    [Fact]
    public async Task Oldest_part_goes_first_and_concurrency_is_bounded()
    {
        await using var t = new UploadTestSupport();
        var paths = Enumerable.Range(1, 6).Select(i => t.MakePart($"cam/p{i:000}.mp4", 1000).Relative).ToList();
        var order = new List<string>();
        var running = 0;
        var maxRunning = 0;
        var target = new FakeUploadTarget(async (r, _, _, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            lock (order)
            {
                order.Add(r.RemoteKey);
                maxRunning = Math.Max(maxRunning, now);
            }
            await Task.Delay(50, ct);
            Interlocked.Decrement(ref running);
            return new UploadResult("fake:" + r.RemoteKey, r.Sha256);
        });
        // queue everything before the workers start, so the order is the queue's choice
        var options = UploadTestSupport.FastOptions(o => o.Concurrency = 1);
        var queue = new UploadQueue(Options.Create(options), Options.Create(new HlsGateway.Recorder.Configuration.RecorderOptions { OutputDirectory = t.Root }),
            target, t.Bus, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<UploadQueue>.Instance);
        foreach (var p in Enumerable.Reverse(paths).Skip(3).Reverse().Concat(paths.Skip(3)))
        {
            Assert.True(queue.Enqueue("cam", 0, p));
        }
        await queue.StartAsync(CancellationToken.None);
        try
        {
            await UploadTestSupport.WaitForAsync(queue, paths[^1], s => s.State == UploadState.Done);
            Assert.Equal(paths, order);
            Assert.Equal(1, maxRunning);
        }
        finally
        {
            await queue.StopAsync(CancellationToken.None);
            queue.Dispose();
        }

        // with Concurrency 2, at most two at once
        await using var t2 = new UploadTestSupport();
        var more = Enumerable.Range(1, 6).Select(i => t2.MakePart($"cam/q{i:000}.mp4", 1000).Relative).ToList();
        running = 0;
        maxRunning = 0;
        var q2 = await t2.StartQueueAsync(UploadTestSupport.FastOptions(o => o.Concurrency = 2), target);
        foreach (var p in more)
        {
            q2.Enqueue("cam", 0, p);
        }
        foreach (var p in more)
        {
            await UploadTestSupport.WaitForAsync(q2, p, s => s.State == UploadState.Done);
        }
        Assert.Equal(2, maxRunning);
    }

    [Fact]
    public async Task The_journal_keeps_only_the_newest_done_entries_but_every_pending_one()
    {
        await using var t = new UploadTestSupport();
        var paths = Enumerable.Range(1, 5).Select(i => t.MakePart($"cam/p{i:000}.mp4", 1000).Relative).ToList();
        var (bad, _) = t.MakePart("cam/bad.mp4", 1000);
        var target = new FakeUploadTarget((r, _, _, _) => r.RemoteKey == bad ? throw new IOException("no") : ValueTask.FromResult(new UploadResult("fake", r.Sha256)));
        var queue = await t.StartQueueAsync(UploadTestSupport.FastOptions(o => { o.KeepDone = 2; o.Concurrency = 1; o.MaxAttempts = 1; }), target);
        queue.Enqueue("cam", 0, bad);
        foreach (var p in paths)
        {
            queue.Enqueue("cam", 0, p);
            await UploadTestSupport.WaitForAsync(queue, p, s => s.State == UploadState.Done);
        }
        var left = queue.Snapshot();
        Assert.Equal([bad, paths[3], paths[4]], left.Select(s => s.Path));
        Assert.Equal(UploadState.Failed, left[0].State);
        var journal = await File.ReadAllTextAsync(queue.JournalPath);
        Assert.DoesNotContain(paths[0], journal);
    }

    [Fact]
    public async Task A_new_queue_on_the_same_journal_resumes_an_interrupted_upload_with_its_token()
    {
        await using var t = new UploadTestSupport();
        var (p, sha) = t.MakePart("cam/p001.mp4", 2 * 1024 * 1024);
        var saved = new TaskCompletionSource();
        var hanging = new FakeUploadTarget(async (r, progress, _, ct) =>
        {
            progress.Report(1024 * 1024);
            await r.SaveResumeStateAsync("token-at-1MiB", ct);
            saved.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        var first = await t.StartQueueAsync(UploadTestSupport.FastOptions(), hanging);
        Assert.True(first.Enqueue("cam", 1, p));
        await saved.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // what a kill -9 leaves on disk: the journal as of now (part "uploading", token saved)
        var crashed = await File.ReadAllTextAsync(first.JournalPath);
        Assert.Contains("\"uploading\"", crashed);
        Assert.Contains("token-at-1MiB", crashed);
        await t.StopQueueAsync(first);
        await File.WriteAllTextAsync(first.JournalPath, crashed);

        var resumed = new FakeUploadTarget((r, progress, _, _) =>
        {
            Assert.Equal("token-at-1MiB", r.ResumeState);
            progress.Report(r.Length);
            return ValueTask.FromResult(new UploadResult("fake:" + r.RemoteKey, UploadTestSupport.Sha256Of(r.LocalPath)));
        });
        var second = await t.StartQueueAsync(UploadTestSupport.FastOptions(), resumed);
        var s = await UploadTestSupport.WaitForAsync(second, p, s => s.State == UploadState.Done);
        Assert.Equal(1, resumed.Calls);
        Assert.Equal("fake:" + p, s.RemoteId);
        Assert.Equal(sha, UploadTestSupport.Sha256Of(Path.Combine(t.Root, p)));
    }

    [Fact]
    public async Task Directory_target_resumes_a_partial_copy_from_its_length()
    {
        await using var t = new UploadTestSupport();
        var (p, sha) = t.MakePart("cam/p001.mp4", 3 * 1024 * 1024);
        var partial = Path.Combine(t.TargetDir, "cam", "p001.mp4.uploading");
        Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
        var bytes = await File.ReadAllBytesAsync(Path.Combine(t.Root, p));
        await File.WriteAllBytesAsync(partial, bytes.AsSpan(0, 1024 * 1024).ToArray());
        var reports = new List<long>();
        var target = new LocalDirectoryTarget(t.TargetDir, 0);
        var result = await target.UploadAsync(new UploadRequest(Path.Combine(t.Root, p), p, bytes.Length, sha, null, (_, _) => ValueTask.CompletedTask),
            new SyncProgress(reports.Add), CancellationToken.None);
        Assert.Equal(1024 * 1024, reports[0]);
        Assert.Equal(sha, result.VerifiedSha256);
        Assert.Equal(sha, UploadTestSupport.Sha256Of(Path.Combine(t.TargetDir, "cam", "p001.mp4")));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public async Task A_poisoned_part_goes_to_failed_with_its_reason_after_max_attempts_and_is_kept()
    {
        await using var t = new UploadTestSupport();
        var (p, _) = t.MakePart("cam/bad.mp4", 4096);
        var (good, _) = t.MakePart("cam/good.mp4", 4096);
        var target = new FakeUploadTarget((r, _, n, _) => r.RemoteKey == p
            ? throw new IOException($"target refused (call {n})")
            : ValueTask.FromResult(new UploadResult("fake", r.Sha256)));
        var queue = await t.StartQueueAsync(UploadTestSupport.FastOptions(o => { o.MaxAttempts = 3; o.DeleteAfterUpload = true; }), target);
        queue.Enqueue("cam", 1, p);
        queue.Enqueue("cam", 2, good);
        var s = await UploadTestSupport.WaitForAsync(queue, p, s => s.State == UploadState.Failed);
        Assert.Equal(3, s.Attempts);
        Assert.Contains("target refused", s.Error);
        Assert.True(File.Exists(Path.Combine(t.Root, p)));
        await UploadTestSupport.WaitForAsync(queue, good, s => s.State == UploadState.Done); // a poisoned part blocks nothing
        Assert.True(queue.Failures >= 3);
        await Poll.UntilAsync(() => t.Events.OfType<UploadErrorEventArgs>().Any(e => e.Final), TimeSpan.FromSeconds(30));
        var errors = t.Events.OfType<UploadErrorEventArgs>().Where(e => e.Path == p).ToList();
        Assert.Equal([false, false, true], errors.Select(e => e.Final));
        Assert.Contains("\"failed\"", await File.ReadAllTextAsync(queue.JournalPath));
    }

    [Fact]
    public async Task A_checksum_mismatch_is_retried_and_nothing_is_deleted_before_verification()
    {
        await using var t = new UploadTestSupport();
        var (p, sha) = t.MakePart("cam/p.mp4", 10_000);
        var full = Path.Combine(t.Root, p);
        var existedOnEachCall = new List<bool>();
        var target = new FakeUploadTarget((r, _, n, _) =>
        {
            existedOnEachCall.Add(File.Exists(full));
            return ValueTask.FromResult(new UploadResult("fake", n == 1 ? new string('0', 64) : r.Sha256));
        });
        var queue = await t.StartQueueAsync(UploadTestSupport.FastOptions(o => o.DeleteAfterUpload = true), target);
        queue.Enqueue("cam", 1, p);
        var s = await UploadTestSupport.WaitForAsync(queue, p, s => s.State == UploadState.Done);
        Assert.Equal(2, s.Attempts);
        Assert.Equal([true, true], existedOnEachCall);
        Assert.False(File.Exists(full));

        // a target that never verifies: the part fails and the file stays, although deletion is on
        var (q, _) = t.MakePart("cam/q.mp4", 10_000);
        var liar = new FakeUploadTarget((_, _, _, _) => ValueTask.FromResult(new UploadResult("fake", new string('1', 64))));
        var queue2 = await t.StartQueueAsync(UploadTestSupport.FastOptions(o => { o.DeleteAfterUpload = true; o.MaxAttempts = 2; }), liar);
        await t.StopQueueAsync(queue);
        queue2.Enqueue("cam", 2, q);
        var f = await UploadTestSupport.WaitForAsync(queue2, q, s => s.State == UploadState.Failed);
        Assert.Contains("checksum mismatch", f.Error);
        Assert.True(File.Exists(Path.Combine(t.Root, q)));
        Assert.Equal(sha, sha.ToLowerInvariant());
    }

    [Fact]
    public void Options_are_bound_from_Recorder_Upload_and_every_error_names_its_key()
    {
        var ok = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Recorder:DeleteAfterUpload"] = "true",
            ["Recorder:Upload:Target"] = "directory",
            ["Recorder:Upload:Directory"] = "/tmp/x",
            ["Recorder:Upload:Concurrency"] = "3",
        }).Build();
        var sp = new ServiceCollection().AddLogging().AddRecorder(ok).BuildServiceProvider();
        var o = sp.GetRequiredService<IOptions<UploadOptions>>().Value;
        Assert.True(o.DeleteAfterUpload);
        Assert.Equal(3, o.Concurrency);
        Assert.Equal(UploadTargetKind.Directory, o.Target);
        Assert.IsType<LocalDirectoryTarget>(sp.GetRequiredService<IUploadTarget>());
        Assert.Same(sp.GetRequiredService<UploadQueue>(), sp.GetRequiredService<IUploadStatusSource>());

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Recorder:Upload:Target"] = "s3",
            ["Recorder:Upload:Concurrency"] = "0",
            ["Recorder:Upload:MaxAttempts"] = "0",
            ["Recorder:Upload:RetryDelay"] = "00:00:00",
            ["Recorder:Upload:ChunkSize"] = "10",
            ["Recorder:Upload:MaxBytesPerSecond"] = "1000",
            ["Recorder:Upload:BusyMaxBytesPerSecond"] = "-1",
            ["Recorder:Upload:BusyRequestsPerSecond"] = "0",
            ["Recorder:Upload:MinBytesPerSecond"] = "4096",
            ["Recorder:Upload:S3:AccessKey"] = "AKIA-secret-value",
            ["Recorder:Upload:S3:PartSize"] = "1000",
        }).Build();
        var sp2 = new ServiceCollection().AddLogging().AddRecorder(bad).BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp2.GetRequiredService<IOptions<UploadOptions>>().Value);
        var message = string.Join("\n", ex.Failures);
        foreach (var key in new[]
        {
            "Recorder:Upload:Concurrency", "Recorder:Upload:MaxAttempts", "Recorder:Upload:RetryDelay", "Recorder:Upload:ChunkSize",
            "Recorder:Upload:MaxBytesPerSecond", "Recorder:Upload:BusyMaxBytesPerSecond", "Recorder:Upload:BusyRequestsPerSecond", "Recorder:Upload:MinBytesPerSecond", "Recorder:Upload:S3:Bucket", "Recorder:Upload:S3:SecretKey", "Recorder:Upload:S3:PartSize",
        })
        {
            Assert.Contains(key, message);
        }
        Assert.DoesNotContain("AKIA-secret-value", message);
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
