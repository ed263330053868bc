using System.Diagnostics;
using HlsGateway.Monitor.Metrics;
using Microsoft.AspNetCore.OutputCaching;
using StackExchange.Redis;

namespace HlsGateway.Caching;

/// <summary>
/// The shared tier: ASP.NET Core's OutputCaching <see cref="IOutputCacheStore"/> (the
/// StackExchangeRedis implementation when <c>Gateway:Redis</c> is set). Every failure is logged,
/// counted and treated as a miss, and while Redis is disconnected calls are skipped entirely, so an
/// outage degrades to the memory tier and recovers by itself when the multiplexer reconnects.
/// </summary>
internal sealed partial class SharedCacheStore(IOutputCacheStore store, IConnectionMultiplexer redis, IGatewayMetrics metrics, ILogger<SharedCacheStore> logger) : IDisposable
{
    private long _lastErrorLogTicks;
    private long _lastWriteErrorLogTicks;

    public bool IsAvailable => redis.IsConnected;

    /// <summary>The fleet-wide fill lock over the same connection.</summary>
    public SharedFillLock FillLock { get; } = new(redis, metrics, logger);

    public void Dispose() => FillLock.Dispose();

    public async ValueTask<CacheEntry?> GetAsync(string key, CancellationToken ct)
    {
        if (!redis.IsConnected)
        {
            return null;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            var data = await store.GetAsync(key, ct).ConfigureAwait(false);
            metrics.RedisCommand("get", Stopwatch.GetElapsedTime(started).TotalSeconds, ok: true);
            return CacheEntry.TryDeserialize(data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            metrics.RedisCommand("get", Stopwatch.GetElapsedTime(started).TotalSeconds, ok: false);
            LogThrottled(ex);
            return null;
        }
    }

    /// <summary>Stores <paramref name="entry"/>; true once Redis acknowledged the value (its purge tags are sent fire-and-forget).</summary>
    public async ValueTask<bool> SetAsync(string key, CacheEntry entry, TimeSpan validFor, CancellationToken ct)
    {
        if (!redis.IsConnected || validFor <= TimeSpan.Zero)
        {
            return false;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            await store.SetAsync(key, entry.Serialize(), PurgeTags.For(key), validFor, ct).ConfigureAwait(false);
            metrics.RedisCommand("set", Stopwatch.GetElapsedTime(started).TotalSeconds, ok: true);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            metrics.RedisCommand("set", Stopwatch.GetElapsedTime(started).TotalSeconds, ok: false);
            // its own throttle: while Redis answers reads, a failing write (OOM, ACL, timeout) must still show
            if (ShouldLog(ref _lastWriteErrorLogTicks))
            {
                Log.SharedStoreWriteFailed(logger, key, ex.Message);
            }
            return false;
        }
    }

    /// <summary>Deletes every shared entry carrying <paramref name="tag"/> (see <see cref="PurgeTags"/>). Throws when Redis fails: a purge must say so.</summary>
    public async ValueTask EvictAsync(string tag, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await store.EvictByTagAsync(tag, ct).ConfigureAwait(false);
            metrics.RedisCommand("evict", Stopwatch.GetElapsedTime(started).TotalSeconds, ok: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            metrics.RedisCommand("evict", Stopwatch.GetElapsedTime(started).TotalSeconds, ok: false);
            LogThrottled(ex);
            throw;
        }
    }

    private void LogThrottled(Exception ex)
    {
        if (ShouldLog(ref _lastErrorLogTicks))
        {
            Log.SharedStoreFailed(logger, ex.Message);
        }
    }

    // at most one line per 5 s during an outage
    private static bool ShouldLog(ref long lastTicks)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref lastTicks);
        return now - last > 5000 && Interlocked.CompareExchange(ref lastTicks, now, last) == last;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2201, EventName = "SharedStoreFailed", Level = LogLevel.Warning, Message = "Shared cache (Redis) unavailable, using the memory tier only: {Reason}")]
        public static partial void SharedStoreFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 2206, EventName = "SharedStoreWriteFailed", Level = LogLevel.Warning, Message = "Shared cache (Redis) write of {Key} failed; other instances will fetch it themselves: {Reason}")]
        public static partial void SharedStoreWriteFailed(ILogger logger, string key, string reason);
    }
}
