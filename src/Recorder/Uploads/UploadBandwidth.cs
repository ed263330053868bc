using System.Threading.RateLimiting;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// The upload bandwidth cap (<c>Recorder:Upload:MaxBytesPerSecond</c>), shared by every upload and verification
/// read-back: a token bucket of bytes refilled every 50 ms with a 100 ms burst, so concurrent uploads split the cap
/// and players on the same machine keep the CPU and network the uploads would otherwise take at full speed.
/// Unlimited (0) costs nothing.
/// </summary>
internal sealed class UploadBandwidth : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);
    private readonly TokenBucketRateLimiter? _bucket;
    private readonly int _burst;

    public UploadBandwidth(long bytesPerSecond)
    {
        BytesPerSecond = Math.Max(0, bytesPerSecond);
        if (BytesPerSecond == 0)
        {
            return;
        }
        var perTick = (int)Math.Clamp(BytesPerSecond / 20, 1, int.MaxValue / 2);
        _burst = perTick * 2;
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = _burst,
            TokensPerPeriod = perTick,
            ReplenishmentPeriod = Tick,
            AutoReplenishment = true,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public static UploadBandwidth Unlimited { get; } = new(0);

    /// <summary>The cap in bytes per second; 0 = unlimited.</summary>
    public long BytesPerSecond { get; }

    /// <summary>Waits until <paramref name="bytes"/> may go out (taken in burst-sized pieces, oldest waiter first).</summary>
    public ValueTask AcquireAsync(int bytes, CancellationToken cancellationToken) =>
        _bucket is null || bytes <= 0 ? ValueTask.CompletedTask : AcquireSlowAsync(bytes, cancellationToken);

    private async ValueTask AcquireSlowAsync(int bytes, CancellationToken cancellationToken)
    {
        while (bytes > 0)
        {
            var take = Math.Min(bytes, _burst);
            using var lease = await _bucket!.AcquireAsync(take, cancellationToken).ConfigureAwait(false);
            if (!lease.IsAcquired)
            {
                throw new InvalidOperationException("upload bandwidth limiter refused a lease (queue full)");
            }
            bytes -= take;
        }
    }

    public void Dispose() => _bucket?.Dispose();
}
