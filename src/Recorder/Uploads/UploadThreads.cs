using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// Dedicated threads for the CPU and blocking I/O of uploads: file reads, hashing, the socket writes of a PATCH body
/// and the reads of a verification download, run synchronously here, at a lower OS priority
/// (<see cref="UploadCpuPriority"/>). On the thread pool that work competes as an equal with the requests of
/// players; here the kernel gives it what players leave over, so a busy gateway keeps serving at full speed and
/// an idle one still uploads at full speed. Work items hold no lock that serving code takes (progress is reported
/// back on the pool), so a descheduled upload thread cannot stall a request. Blocking here is by design: these
/// threads exist for it, and the pool never waits on them (continuations run asynchronously).
/// <para>
/// With <see cref="UploadCpuPriority.Idle"/> a saturated CPU would starve uploads completely, so a floor
/// (<c>Recorder:Upload:MinBytesPerSecond</c>) keeps them moving: before each piece of work (≤ 256 KB read, hashed
/// or sent) <see cref="Pace"/> takes the piece from a token bucket refilled at the floor rate; a piece it covers runs
/// at normal priority (SCHED_OTHER), any other piece at SCHED_IDLE. Work at normal priority is thereby bounded by the
/// floor, and everything above it uses only CPU that players leave. (An unprivileged thread may switch from
/// SCHED_IDLE back to SCHED_OTHER at nice 0, but not undo a nice 19; that is why the floor needs <c>Idle</c>.)
/// </para>
/// </summary>
internal sealed partial class UploadThreads : IDisposable
{
    private static readonly Lazy<UploadThreads> LazyShared = new(() => new UploadThreads(2, UploadCpuPriority.Idle, NullLogger.Instance, 8L * 1024 * 1024));

    [ThreadStatic]
    private static UploadThreads? t_owner;

    [ThreadStatic]
    private static bool t_boosted;

    private readonly BlockingCollection<WorkItem> _queue = new(new ConcurrentQueue<WorkItem>());
    private readonly Thread[] _threads;
    private readonly ILogger _logger;
    private readonly System.Threading.RateLimiting.TokenBucketRateLimiter? _floor;
    private int _priorityFailures;
    private long _boostedBytes, _idleBytes;

    /// <param name="minBytesPerSecond">The floor for <see cref="UploadCpuPriority.Idle"/> (see the class); 0 = none.</param>
    /// <param name="canLeaveIdle">
    /// Whether a thread may switch from SCHED_IDLE back to SCHED_OTHER (null: probe it). Without that (no CAP_SYS_NICE
    /// and RLIMIT_NICE below 20) the floor cannot work, and idle priority without a floor can starve uploads on a
    /// saturated CPU, so the threads run at <see cref="UploadCpuPriority.Normal"/> instead, with a warning.
    /// </param>
    public UploadThreads(int count, UploadCpuPriority priority, ILogger logger, long minBytesPerSecond = 0, bool? canLeaveIdle = null)
    {
        _logger = logger;
        var floor = priority == UploadCpuPriority.Idle && minBytesPerSecond > 0 && OperatingSystem.IsLinux();
        if (floor && !(canLeaveIdle ?? CanLeaveIdle()))
        {
            Log.FloorUnavailable(logger);
            priority = UploadCpuPriority.Normal;
            floor = false;
        }
        Priority = priority;
        if (floor)
        {
            MinBytesPerSecond = minBytesPerSecond;
            var perTick = (int)Math.Clamp(minBytesPerSecond / 20, 1, int.MaxValue / 20);
            _floor = new System.Threading.RateLimiting.TokenBucketRateLimiter(new System.Threading.RateLimiting.TokenBucketRateLimiterOptions
            {
                TokenLimit = (int)Math.Min(minBytesPerSecond, int.MaxValue), // one second of floor
                TokensPerPeriod = perTick,
                ReplenishmentPeriod = TimeSpan.FromMilliseconds(50),
                AutoReplenishment = true,
                QueueLimit = 0,
            });
        }
        _threads = new Thread[Math.Max(1, count)];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"upload-{i + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads for targets built without DI (tools, tests): two, the defaults (idle priority, 8 MiB/s floor).</summary>
    public static UploadThreads Shared => LazyShared.Value;

    /// <summary>The priority in effect (Normal when Idle with a floor was asked for but the OS cannot do it).</summary>
    public UploadCpuPriority Priority { get; }

    /// <summary>The floor in bytes per second of upload work at normal priority; 0 = none.</summary>
    public long MinBytesPerSecond { get; }

    /// <summary>Bytes of work <see cref="Pace"/> ran at normal priority (under the floor) and at idle priority.</summary>
    public (long Boosted, long Idle) PacedBytes => (Interlocked.Read(ref _boostedBytes), Interlocked.Read(ref _idleBytes));

    /// <summary>
    /// Called on an upload thread before a piece of <paramref name="bytes"/> (≤ 256 KB): runs it at normal priority
    /// when the floor covers it, else at idle priority. A no-op without a floor and on any other thread (a caller of
    /// the blocking <c>HttpClient.Send</c> path keeps its own priority).
    /// </summary>
    public void Pace(int bytes)
    {
        if (_floor is null || !ReferenceEquals(t_owner, this))
        {
            return;
        }
        bool boost;
        try
        {
            using var lease = _floor.AttemptAcquire(bytes);
            boost = lease.IsAcquired;
        }
        catch (ObjectDisposedException)
        {
            return; // shutting down: the piece runs at whatever priority the thread has
        }
        if (boost)
        {
            Interlocked.Add(ref _boostedBytes, bytes);
        }
        else
        {
            Interlocked.Add(ref _idleBytes, bytes);
        }
        if (boost != t_boosted)
        {
            var param = default(Native.SchedParam);
            if (Native.sched_setscheduler(0, boost ? Native.SchedOther : Native.SchedIdle, ref param) == 0)
            {
                t_boosted = boost;
            }
            else if (Interlocked.Increment(ref _priorityFailures) == 1)
            {
                Log.PriorityRefused(_logger, Priority, Marshal.GetLastPInvokeError());
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on an upload thread; its result (or exception) completes the task on the pool.</summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        var item = new WorkItem<T>(work, cancellationToken);
        try
        {
            _queue.Add(item, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            return Task.FromException<T>(new ObjectDisposedException(nameof(UploadThreads)));
        }
        return item.Task;
    }

    public Task RunAsync(Action work, CancellationToken cancellationToken) => RunAsync(() =>
    {
        work();
        return true;
    }, cancellationToken);

    public void Dispose()
    {
        _queue.CompleteAdding(); // threads finish what is queued, then exit
        _floor?.Dispose();
    }

    private void Run()
    {
        t_owner = this;
        ApplyPriority();
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            item.Execute();
        }
    }

    private void ApplyPriority()
    {
        if (Priority == UploadCpuPriority.Normal)
        {
            return;
        }
        if (!OperatingSystem.IsLinux())
        {
            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
            return;
        }
        try
        {
            // per thread: on Linux a thread id is a valid PRIO_PROCESS / sched_setscheduler target for just that thread
            var tid = Native.gettid();
            var param = default(Native.SchedParam);
            var result = Priority == UploadCpuPriority.Idle
                ? Native.sched_setscheduler(tid, Native.SchedIdle, ref param)
                : Native.setpriority(Native.PrioProcess, tid, 19);
            if (result != 0 && Interlocked.Increment(ref _priorityFailures) == 1)
            {
                Log.PriorityRefused(_logger, Priority, Marshal.GetLastPInvokeError());
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            if (Interlocked.Increment(ref _priorityFailures) == 1)
            {
                Log.PriorityUnavailable(_logger, Priority, ex.Message);
            }
        }
    }

    /// <summary>On a scratch thread: SCHED_IDLE, then back to SCHED_OTHER. False when the way back is refused.</summary>
    internal static bool CanLeaveIdle()
    {
        var ok = false;
        var probe = new Thread(() =>
        {
            try
            {
                var param = default(Native.SchedParam);
                ok = Native.sched_setscheduler(0, Native.SchedIdle, ref param) == 0
                    && Native.sched_setscheduler(0, Native.SchedOther, ref param) == 0;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                ok = false;
            }
        }) { IsBackground = true, Name = "upload-priority-probe" };
        probe.Start();
        probe.Join();
        return ok;
    }

    private abstract class WorkItem
    {
        public abstract void Execute();
    }

    private sealed class WorkItem<T>(Func<T> work, CancellationToken cancellationToken) : WorkItem
    {
        // asynchronous continuations: the awaiting code never runs on (and never waits for) an upload thread
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _done.Task;

        public override void Execute()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _done.TrySetCanceled(cancellationToken);
                return;
            }
            try
            {
                _done.TrySetResult(work());
            }
            catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
            {
                _done.TrySetCanceled(ex.CancellationToken.IsCancellationRequested ? ex.CancellationToken : cancellationToken);
            }
            catch (Exception ex)
            {
                _done.TrySetException(ex);
            }
        }
    }

    private static partial class Native
    {
        public const int PrioProcess = 0;
        public const int SchedOther = 0;
        public const int SchedIdle = 5;

        [StructLayout(LayoutKind.Sequential)]
        public struct SchedParam
        {
            public int Priority;
        }

        [LibraryImport("libc", EntryPoint = "gettid")]
        public static partial int gettid();

        [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
        public static partial int setpriority(int which, int who, int prio);

        [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
        public static partial int sched_setscheduler(int pid, int policy, ref SchedParam param);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6213, EventName = "UploadFloorUnavailable", Level = LogLevel.Warning,
            Message = "Recorder:Upload:CpuPriority Idle with Recorder:Upload:MinBytesPerSecond needs threads that may leave SCHED_IDLE (CAP_SYS_NICE, or RLIMIT_NICE ≥ 20: systemd LimitNICE=+0); uploads run at Normal priority instead (the busy cap still applies).")]
        public static partial void FloorUnavailable(ILogger logger);

        [LoggerMessage(EventId = 6211, EventName = "UploadPriorityRefused", Level = LogLevel.Warning,
            Message = "Recorder:Upload:CpuPriority {Priority}: the OS refused it (errno {Errno}); uploads run at normal priority and compete with players for CPU.")]
        public static partial void PriorityRefused(ILogger logger, UploadCpuPriority priority, int errno);

        [LoggerMessage(EventId = 6212, EventName = "UploadPriorityUnavailable", Level = LogLevel.Warning,
            Message = "Recorder:Upload:CpuPriority {Priority}: not available here ({Reason}); uploads run at normal priority.")]
        public static partial void PriorityUnavailable(ILogger logger, UploadCpuPriority priority, string reason);
    }
}
