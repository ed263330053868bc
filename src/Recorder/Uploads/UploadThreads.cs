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
/// </summary>
internal sealed partial class UploadThreads : IDisposable
{
    private static readonly Lazy<UploadThreads> LazyShared = new(() => new UploadThreads(2, UploadCpuPriority.Low, NullLogger.Instance));
    private readonly BlockingCollection<WorkItem> _queue = new(new ConcurrentQueue<WorkItem>());
    private readonly Thread[] _threads;
    private readonly ILogger _logger;
    private int _priorityFailures;

    public UploadThreads(int count, UploadCpuPriority priority, ILogger logger)
    {
        Priority = priority;
        _logger = logger;
        _threads = new Thread[Math.Max(1, count)];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"upload-{i + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads for targets built without DI (tools, tests): two, at <see cref="UploadCpuPriority.Low"/>.</summary>
    public static UploadThreads Shared => LazyShared.Value;

    public UploadCpuPriority Priority { get; }

    public int Count => _threads.Length;

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

    public void Dispose() => _queue.CompleteAdding(); // threads finish what is queued, then exit

    private void Run()
    {
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
        [LoggerMessage(EventId = 6211, EventName = "UploadPriorityRefused", Level = LogLevel.Warning,
            Message = "Recorder:Upload:CpuPriority {Priority}: the OS refused it (errno {Errno}); uploads run at normal priority and compete with players for CPU.")]
        public static partial void PriorityRefused(ILogger logger, UploadCpuPriority priority, int errno);

        [LoggerMessage(EventId = 6212, EventName = "UploadPriorityUnavailable", Level = LogLevel.Warning,
            Message = "Recorder:Upload:CpuPriority {Priority}: not available here ({Reason}); uploads run at normal priority.")]
        public static partial void PriorityUnavailable(ILogger logger, UploadCpuPriority priority, string reason);
    }
}
