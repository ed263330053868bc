using System.Threading.RateLimiting;
using HlsGateway.Monitor.Stats;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// Upload bandwidth, shared by every upload and verification read-back: an always-on cap
/// (<c>Recorder:Upload:MaxBytesPerSecond</c>) and a cap that applies only while the gateway is busy serving players
/// (<c>Recorder:Upload:BusyMaxBytesPerSecond</c> from <c>BusyRequestsPerSecond</c> requests/s), so a backlog drains
/// at full speed when nobody watches and yields the CPU and network to players when they do. Each cap is a token
/// bucket of bytes refilled every 50 ms with a 100 ms burst; the busy check is made per acquired piece (≤ 256 KB),
/// so uploads slow down within a second of players arriving. Unlimited and idle costs one load read.
/// </summary>
internal sealed class UploadBandwidth : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);
    private readonly Bucket? _always;
    private readonly Bucket? _busy;
    private readonly IServingLoad? _load;
    private readonly double _busyRequestsPerSecond;

    public UploadBandwidth(long bytesPerSecond, long busyBytesPerSecond = 0, IServingLoad? load = null, double busyRequestsPerSecond = 50)
    {
        BytesPerSecond = Math.Max(0, bytesPerSecond);
        BusyBytesPerSecond = load is null ? 0 : Math.Max(0, busyBytesPerSecond);
        _always = BytesPerSecond > 0 ? new Bucket(BytesPerSecond) : null;
        _busy = BusyBytesPerSecond > 0 ? new Bucket(BusyBytesPerSecond) : null;
        _load = load;
        _busyRequestsPerSecond = busyRequestsPerSecond;
    }

    public static UploadBandwidth Unlimited { get; } = new(0);

    private readonly Lock _pauseLock = new();
    private TaskCompletionSource? _resumed; // null while running

    /// <summary>True while an operator has paused uploads (<c>POST /admin/recordings/uploads/pause</c>).</summary>
    public bool Paused => Volatile.Read(ref _resumed) is not null;

    /// <summary>
    /// Pauses uploads at their next safe point: no part starts, and a running one stops before its next request
    /// (tus PATCH, S3 part, directory hop of 16 MiB, verification read-back). A request already sending finishes, so
    /// nothing is held open against the target's timeouts and no attempt is spent on the pause.
    /// </summary>
    public bool Pause()
    {
        lock (_pauseLock)
        {
            if (_resumed is not null)
            {
                return false;
            }
            Volatile.Write(ref _resumed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            return true;
        }
    }

    public bool Resume()
    {
        TaskCompletionSource? resumed;
        lock (_pauseLock)
        {
            resumed = _resumed;
            Volatile.Write(ref _resumed, null);
        }
        resumed?.TrySetResult();
        return resumed is not null;
    }

    /// <summary>A safe point: completes at once while running, else when uploads are resumed.</summary>
    public Task WhenRunningAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _resumed) is { } paused ? paused.Task.WaitAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>The always-on cap in bytes per second; 0 = unlimited.</summary>
    public long BytesPerSecond { get; }

    /// <summary>The cap while players are being served; 0 = none.</summary>
    public long BusyBytesPerSecond { get; }

    /// <summary>True while the busy cap applies (the gateway served at least the busy threshold last second).</summary>
    public bool PlayersBusy => _busy is not null && _load!.RequestsPerSecond >= _busyRequestsPerSecond;

    /// <summary>Waits until <paramref name="bytes"/> may go out (taken in burst-sized pieces, oldest waiter first).</summary>
    public ValueTask AcquireAsync(int bytes, CancellationToken cancellationToken)
    {
        if (bytes <= 0 || (_always is null && !PlayersBusy))
        {
            return ValueTask.CompletedTask;
        }
        return AcquireSlowAsync(bytes, cancellationToken);
    }

    /// <summary>
    /// The blocking form, for <see cref="UploadThreads"/> (dedicated threads that exist to block): polls the buckets
    /// every half tick instead of queueing, so it never parks a pool thread.
    /// </summary>
    public void Acquire(int bytes, CancellationToken cancellationToken)
    {
        if (bytes <= 0 || (_always is null && !PlayersBusy))
        {
            return;
        }
        while (bytes > 0)
        {
            var take = Math.Min(bytes, 256 * 1024);
            _always?.Acquire(take, cancellationToken);
            if (PlayersBusy)
            {
                _busy!.Acquire(take, cancellationToken);
            }
            bytes -= take;
        }
    }

    private async ValueTask AcquireSlowAsync(int bytes, CancellationToken cancellationToken)
    {
        while (bytes > 0)
        {
            var take = Math.Min(bytes, 256 * 1024);
            if (_always is not null)
            {
                await _always.AcquireAsync(take, cancellationToken).ConfigureAwait(false);
            }
            if (PlayersBusy)
            {
                await _busy!.AcquireAsync(take, cancellationToken).ConfigureAwait(false);
            }
            bytes -= take;
        }
    }

    public void Dispose()
    {
        _always?.Dispose();
        _busy?.Dispose();
    }

    private sealed class Bucket : IDisposable
    {
        private readonly TokenBucketRateLimiter _limiter;
        private readonly int _burst;

        public Bucket(long bytesPerSecond)
        {
            var perTick = (int)Math.Clamp(bytesPerSecond / 20, 1, int.MaxValue / 2);
            _burst = perTick * 2;
            _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = _burst,
                TokensPerPeriod = perTick,
                ReplenishmentPeriod = Tick,
                AutoReplenishment = true,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }

        public async ValueTask AcquireAsync(int bytes, CancellationToken cancellationToken)
        {
            while (bytes > 0)
            {
                var take = Math.Min(bytes, _burst);
                using var lease = await _limiter.AcquireAsync(take, cancellationToken).ConfigureAwait(false);
                if (!lease.IsAcquired)
                {
                    throw new InvalidOperationException("upload bandwidth limiter refused a lease (queue full)");
                }
                bytes -= take;
            }
        }

        public void Acquire(int bytes, CancellationToken cancellationToken)
        {
            while (bytes > 0)
            {
                var take = Math.Min(bytes, _burst);
                using (var lease = _limiter.AttemptAcquire(take))
                {
                    if (lease.IsAcquired)
                    {
                        bytes -= take;
                        continue;
                    }
                }
                if (cancellationToken.WaitHandle.WaitOne(Tick / 2))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        public void Dispose() => _limiter.Dispose();
    }
}
