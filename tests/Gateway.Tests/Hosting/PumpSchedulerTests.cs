using HlsGateway.Hosting;

namespace HlsGateway.Tests.Hosting;

/// <summary>
/// Where TlsWriteCoalescer's pump runs: inline in the HTTP/2 frame writer's flush once a full TLS record (16 KB) waits
/// unconsumed, on the thread pool while less does. Always inline halved the TLS h2 playlist row (small frames of many
/// streams each encrypted and sent alone); always queued cost segments a thread hop per flush (benchmarks/README.md,
/// "Thread-pool hops on HTTP/2").
/// </summary>
public sealed class PumpSchedulerTests
{
    [Fact]
    public async Task Less_than_a_full_record_waiting_queues_the_pump_so_small_frames_gather()
    {
        var scheduler = new TlsWriteCoalescer.PumpScheduler();
        scheduler.Written(9); // a HEADERS frame
        scheduler.Written(16 * 1024 - 10); // and a small body: one byte short of a record
        Assert.False(await RanInlineAsync(scheduler));
    }

    [Fact]
    public async Task A_full_record_waiting_runs_the_pump_inline()
    {
        var scheduler = new TlsWriteCoalescer.PumpScheduler();
        scheduler.Written(16 * 1024);
        Assert.True(await RanInlineAsync(scheduler));
    }

    [Fact]
    public async Task What_the_pump_consumed_no_longer_counts()
    {
        var scheduler = new TlsWriteCoalescer.PumpScheduler();
        scheduler.Written(64 * 1024);
        scheduler.Consumed(64 * 1024);
        scheduler.Written(100);
        Assert.False(await RanInlineAsync(scheduler));
    }

    /// <summary>Inline = on the scheduling thread while Schedule is still running (a pool thread may be the same one later).</summary>
    private static async Task<bool> RanInlineAsync(TlsWriteCoalescer.PumpScheduler scheduler)
    {
        var ran = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var caller = Environment.CurrentManagedThreadId;
        var inSchedule = true;
        scheduler.Schedule(_ => ran.TrySetResult(Volatile.Read(ref inSchedule) && Environment.CurrentManagedThreadId == caller), null);
        Volatile.Write(ref inSchedule, false);
        return await ran.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
