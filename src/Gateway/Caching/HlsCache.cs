using System.Collections.Concurrent;
using HlsGateway.Configuration;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Proxy;
using Microsoft.Extensions.Caching.Memory;

namespace HlsGateway.Caching;

/// <summary>
/// Two tiers: a byte-bounded memory tier holding ready-to-serve entries (a hit allocates nothing),
/// and an optional shared tier (Redis). Concurrent misses for one key collapse into one origin fetch:
/// one in-flight task per key, removed when it completes so a failure is never cached (the pattern
/// of OutputCaching's DispatcherExtensions). Entries are kept past their freshness for the
/// stale-if-error window, so an origin outage can be answered with the last good copy.
/// </summary>
internal sealed partial class HlsCache : IDisposable
{
    private readonly MemoryCache _memory;
    private readonly ConcurrentDictionary<string, Task<FetchOutcome>> _inflight = new(StringComparer.Ordinal);
    private readonly OriginFetcher _fetcher;
    private readonly SharedCacheStore? _shared;
    private readonly GatewayConfigMonitor _config;
    private readonly TimeProvider _time;
    private readonly IGatewayMetrics _metrics;
    private readonly ILogger<HlsCache> _logger;
    private const string TooLargePrefix = "\u0001big:";

    public HlsCache(GatewayConfigMonitor config, OriginFetcher fetcher, TimeProvider time, IGatewayMetrics metrics, ILogger<HlsCache> logger, SharedCacheStore? shared = null)
    {
        _config = config;
        _fetcher = fetcher;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _shared = shared;
        _memory = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = config.Current.Cache.SizeLimitBytes,
            CompactionPercentage = 0.10,
            TrackStatistics = true,
            Clock = new TimeProviderClock(time),
        });
    }

    /// <summary>Shared tier in use (Redis configured).</summary>
    public bool HasSharedTier => _shared is not null;

    /// <summary>The memory-tier entry for <paramref name="key"/>, fresh or not (null when absent).</summary>
    public CacheEntry? Peek(string key) => _memory.TryGetValue(key, out var value) ? (CacheEntry?)value : null;

    /// <summary>True when a recent fetch found this resource too large to cache: stream it through.</summary>
    public bool IsKnownTooLarge(string key) => _memory.TryGetValue(TooLargePrefix + key, out _);

    /// <summary>Fills (origin fetches) in flight right now; 0 when idle (tests check nothing leaks).</summary>
    internal int InflightCount => _inflight.Count;

    /// <summary>(entries, bytes) held by the memory tier.</summary>
    public (long Entries, long Bytes) Statistics
    {
        get
        {
            var s = _memory.GetCurrentStatistics();
            return s is null ? (0, 0) : (s.CurrentEntryCount, s.CurrentEstimatedSize ?? 0);
        }
    }

    /// <summary>
    /// Resolves a miss or an expired entry: the first caller for a key looks in the shared tier, then
    /// fetches from the origin; every concurrent caller for that key awaits the same task.
    /// </summary>
    public Task<FetchOutcome> ResolveAsync(HlsRequest request, out bool collapsed)
    {
        var key = request.CacheKey;
        if (_inflight.TryGetValue(key, out var running))
        {
            collapsed = true;
            _metrics.RequestCollapsed(request.Origin.Name);
            return running;
        }
        var tcs = new TaskCompletionSource<FetchOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inflight.TryAdd(key, tcs.Task))
        {
            collapsed = true;
            _metrics.RequestCollapsed(request.Origin.Name);
            return _inflight.TryGetValue(key, out running) ? running : ResolveAsync(request, out collapsed);
        }
        collapsed = false;
        // Not tied to the first caller's RequestAborted: others may be waiting on it. The fetch is
        // bounded by Gateway:Proxy:RequestTimeout.
        _ = FillAsync(request, tcs);
        return tcs.Task;
    }

    private async Task FillAsync(HlsRequest request, TaskCompletionSource<FetchOutcome> tcs)
    {
        var key = request.CacheKey;
        try
        {
            var now = _time.GetUtcNow();
            if (_shared is not null)
            {
                var shared = await _shared.GetAsync(key, CancellationToken.None).ConfigureAwait(false);
                if (shared is not null && shared.IsFresh(now))
                {
                    StoreInMemory(key, shared);
                    tcs.TrySetResult(new FetchOutcome(FetchStatus.Ok, shared, shared.StatusCode, "shared cache") { FromSharedCache = true });
                    return;
                }
                if (shared is not null && Peek(key) is null)
                {
                    // an expired copy from another instance: keep it as the stale fallback
                    StoreInMemory(key, shared);
                }
            }

            var outcome = await _fetcher.FetchAsync(request, CancellationToken.None).ConfigureAwait(false);
            if (outcome is { Status: FetchStatus.Ok, Entry: { } entry } && entry.FreshFor > TimeSpan.Zero)
            {
                StoreInMemory(key, entry);
                tcs.TrySetResult(outcome);
                if (_shared is not null)
                {
                    await _shared.SetAsync(key, entry, StoreLifetime(entry), CancellationToken.None).ConfigureAwait(false);
                }
                return;
            }
            if (outcome.Status == FetchStatus.TooLarge)
            {
                _memory.Set(TooLargePrefix + key, true, new MemoryCacheEntryOptions
                {
                    Size = 64,
                    AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1),
                });
            }
            tcs.TrySetResult(outcome);
        }
        catch (Exception ex)
        {
            // Should not happen (the fetcher returns failures as values); never leave waiters hanging.
            Log.FillFailed(_logger, key, ex);
            tcs.TrySetResult(new FetchOutcome(FetchStatus.BadResponse, null, 0, "internal error while fetching"));
        }
        finally
        {
            _inflight.TryRemove(key, out _);
        }
    }

    private TimeSpan StoreLifetime(CacheEntry entry)
    {
        // 200s stay past freshness for the stale-if-error window; negative entries do not.
        var stale = entry.StatusCode == 200 ? _config.Current.Cache.StaleIfError : TimeSpan.Zero;
        return entry.FreshFor + stale;
    }

    private void StoreInMemory(string key, CacheEntry entry)
    {
        var lifetime = entry.FreshUntil + (entry.StatusCode == 200 ? _config.Current.Cache.StaleIfError : TimeSpan.Zero) - _time.GetUtcNow();
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }
        _memory.Set(key, entry, new MemoryCacheEntryOptions
        {
            Size = entry.Size,
            AbsoluteExpirationRelativeToNow = lifetime,
            // segments outlive playlists under memory pressure only by being bigger; playlists are tiny and hot
            Priority = entry.Kind == RouteKind.Segment ? CacheItemPriority.Normal : CacheItemPriority.High,
        });
        var (entries, bytes) = Statistics;
        _metrics.CacheSize(entries, bytes);
    }

    public void Dispose() => _memory.Dispose();

    private sealed class TimeProviderClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3002, EventName = "CacheFillFailed", Level = LogLevel.Error, Message = "Cache fill for {Key} failed unexpectedly.")]
        public static partial void FillFailed(ILogger logger, string key, Exception exception);
    }
}
