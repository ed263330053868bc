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
/// With Redis, collapsing extends across the fleet: the in-process leader for a key takes a short
/// Redis fill lock (<see cref="SharedFillLock"/>) or waits for the lock holder's shared entry, so a
/// flash crowd over N instances makes one origin fetch.
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
    private const string PassPrefix = "\u0001pass:";
    private static readonly TimeSpan PassMarkerLifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MaxLockTtl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);
    // bumped by every purge: a fill that started before it must not store what it fetched (or read) after it
    private long _purgeGeneration;

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
        if (_memory.TryGetValue(PassPrefix + key, out _))
        {
            // the origin said no-store/private/Set-Cookie last time: no collapsing, every request fetches (hit-for-pass)
            collapsed = false;
            return FetchUncachedAsync(request, CancellationToken.None);
        }
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

    /// <summary>
    /// One origin fetch of its own for a request that must not share another's response: the key is marked
    /// uncacheable (hit-for-pass), or it waited on a fill whose response turned out not storable. A storable answer is
    /// stored as usual (and ends the hit-for-pass state).
    /// </summary>
    public async Task<FetchOutcome> FetchUncachedAsync(HlsRequest request, CancellationToken ct)
    {
        var key = request.CacheKey;
        var generation = Volatile.Read(ref _purgeGeneration);
        var outcome = await _fetcher.FetchAsync(request, ct).ConfigureAwait(false);
        if (outcome is { Status: FetchStatus.Ok, NoStoreReason: not null })
        {
            MarkUncacheable(key);
        }
        else if (outcome is { Status: FetchStatus.Ok, Entry: { } entry } && entry.FreshFor > TimeSpan.Zero && NotPurgedSince(generation))
        {
            _memory.Remove(PassPrefix + key);
            StoreInMemory(key, entry);
            if (_shared is not null)
            {
                await _shared.SetAsync(key, entry, StoreLifetime(entry), CancellationToken.None).ConfigureAwait(false);
            }
        }
        return outcome;
    }

    private void MarkUncacheable(string key)
    {
        _memory.Remove(key); // an older copy must not be served (not even as stale) once the origin says private
        _memory.Set(PassPrefix + key, true, new MemoryCacheEntryOptions
        {
            Size = 64,
            AbsoluteExpirationRelativeToNow = PassMarkerLifetime,
        });
    }

    private async Task FillAsync(HlsRequest request, TaskCompletionSource<FetchOutcome> tcs)
    {
        var key = request.CacheKey;
        var generation = Volatile.Read(ref _purgeGeneration);
        string? lockToken = null;
        var storedShared = false;
        try
        {
            if (_shared is not null)
            {
                var shared = await _shared.GetAsync(key, CancellationToken.None).ConfigureAwait(false);
                if (TryServeShared(key, shared, tcs, generation))
                {
                    return;
                }
                var options = _config.Current;
                if (options.Cache.FillLockWait > TimeSpan.Zero)
                {
                    (shared, lockToken) = await AwaitFleetFillAsync(request, options, CancellationToken.None).ConfigureAwait(false);
                    if (TryServeShared(key, shared, tcs, generation))
                    {
                        return;
                    }
                }
            }

            // an expired copy with a validator (memory, or the shared tier's kept above): ask conditionally
            var outcome = await _fetcher.FetchAsync(request, CancellationToken.None, Peek(key)).ConfigureAwait(false);
            if (outcome is { Status: FetchStatus.Ok, NoStoreReason: not null })
            {
                // not for a shared cache: stored nowhere; requests that collapsed onto this fetch fetch for themselves
                MarkUncacheable(key);
                tcs.TrySetResult(outcome);
                return;
            }
            if (outcome is { Status: FetchStatus.Ok, Entry: { } entry } && entry.FreshFor > TimeSpan.Zero && NotPurgedSince(generation))
            {
                StoreInMemory(key, entry);
                tcs.TrySetResult(outcome);
                if (_shared is not null)
                {
                    storedShared = await _shared.SetAsync(key, entry, StoreLifetime(entry), CancellationToken.None).ConfigureAwait(false);
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
            if (lockToken is not null)
            {
                // after the shared write was acknowledged: a woken waiter finds the entry, or is told there is none and fetches itself
                await _shared!.FillLock.ReleaseAsync(key, lockToken, storedShared, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Answers the fill from a fresh shared-tier entry; keeps an expired one as the stale fallback.</summary>
    private bool TryServeShared(string key, CacheEntry? shared, TaskCompletionSource<FetchOutcome> tcs, long generation)
    {
        if (shared is null || !NotPurgedSince(generation))
        {
            return false; // read before a purge finished: it may be the purged copy
        }
        if (shared.IsFresh(_time.GetUtcNow()))
        {
            StoreInMemory(key, shared);
            tcs.TrySetResult(new FetchOutcome(FetchStatus.Ok, shared, shared.StatusCode, "shared cache") { FromSharedCache = true });
            return true;
        }
        if (Peek(key) is null)
        {
            // an expired copy from another instance: keep it as the stale fallback
            StoreInMemory(key, shared);
        }
        return false;
    }

    /// <summary>
    /// Fleet-wide collapsing: take the Redis fill lock and fetch (returns its token), or wait for the
    /// holder's entry to appear in the shared tier (returns it). Falls back to a local fetch (both null)
    /// when Redis is unavailable, the holder finished without a cacheable entry, or the wait runs out,
    /// so a dead holder delays players by at most <see cref="CacheOptions.FillLockWait"/>.
    /// </summary>
    private async Task<(CacheEntry? Entry, string? LockToken)> AwaitFleetFillAsync(HlsRequest request, GatewayOptions options, CancellationToken ct)
    {
        var key = request.CacheKey;
        var shared = _shared!;
        var fillLock = shared.FillLock;
        // held no longer than a fetch may take; waited on no longer than the lock can be held
        var lockTtl = Min(options.Proxy.RequestTimeout, MaxLockTtl);
        var wait = Min(options.Cache.FillLockWait, lockTtl);

        var (available, token) = await fillLock.TryAcquireAsync(key, lockTtl, ct).ConfigureAwait(false);
        if (!available)
        {
            _metrics.FillLock("unavailable");
            return (null, null);
        }
        if (token is not null)
        {
            return await AfterAcquiredAsync(key, token, ct).ConfigureAwait(false);
        }

        Log.WaitingForPeer(_logger, key);
        var started = _time.GetTimestamp();
        using var watch = fillLock.Watch(key);
        while (true)
        {
            var left = wait - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                _metrics.FillLock("fallback");
                Log.PeerWaitTimedOut(_logger, key, wait.TotalMilliseconds);
                return (null, null);
            }
            var signaled = watch.Signaled;
            await Task.WhenAny(signaled, Task.Delay(Min(PollInterval, left), _time, ct)).ConfigureAwait(false);
            // Looked at before the read: a release that lands while our GET is in flight says nothing about
            // what that GET saw (Redis may have answered it before the holder's write).
            var released = signaled.IsCompleted;
            if (released && !await signaled.ConfigureAwait(false))
            {
                // the holder stored nothing (origin failure, not cacheable, too large, its shared write failed)
                _metrics.FillLock("fallback");
                Log.PeerStoredNothing(_logger, key);
                return (null, null);
            }
            var entry = await shared.GetAsync(key, ct).ConfigureAwait(false);
            if (entry is not null && entry.IsFresh(_time.GetUtcNow()))
            {
                _metrics.FillLock("peer_filled");
                return (entry, null);
            }
            if (released)
            {
                // stored, read after the release, and still not there (our read failed, or already evicted): fetch ourselves
                _metrics.FillLock("fallback");
                Log.PeerEntryMissing(_logger, key);
                return (entry, null);
            }
            if (signaled.IsCompleted)
            {
                continue; // released during that read: go round once more and read after it
            }
            (available, token) = await fillLock.TryAcquireAsync(key, lockTtl, ct).ConfigureAwait(false);
            if (!available)
            {
                _metrics.FillLock("unavailable");
                return (entry, null);
            }
            if (token is not null)
            {
                // the holder died or its lock ran out: we fill for the fleet now
                return await AfterAcquiredAsync(key, token, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<(CacheEntry? Entry, string? LockToken)> AfterAcquiredAsync(string key, string token, CancellationToken ct)
    {
        // A holder may have finished between our shared-tier miss and our lock: look once more.
        var entry = await _shared!.GetAsync(key, ct).ConfigureAwait(false);
        if (entry is not null && entry.IsFresh(_time.GetUtcNow()))
        {
            await _shared.FillLock.ReleaseAsync(key, token, stored: true, ct).ConfigureAwait(false);
            _metrics.FillLock("peer_filled");
            return (entry, null);
        }
        _metrics.FillLock("acquired");
        return (entry, token);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private bool NotPurgedSince(long generation) => Volatile.Read(ref _purgeGeneration) == generation;

    /// <summary>
    /// Removes this instance's memory-tier entries for a purge (with their hit-for-pass and too-large markers) and
    /// stops fills already in flight from storing their result. <paramref name="keyPrefix"/> is a cache key without
    /// its query ("origin/dir/seg.ts"); exact: that object under any query, else every key that starts with it.
    /// Returns the number of objects removed (markers not counted). The shared tier is purged by <see cref="CachePurger"/>.
    /// </summary>
    public int PurgeMemory(string keyPrefix, bool exact)
    {
        Interlocked.Increment(ref _purgeGeneration);
        var removed = 0;
        foreach (var item in _memory.Keys)
        {
            if (item is not string key)
            {
                continue;
            }
            var marker = key.StartsWith(TooLargePrefix, StringComparison.Ordinal) ? TooLargePrefix.Length
                : key.StartsWith(PassPrefix, StringComparison.Ordinal) ? PassPrefix.Length : 0;
            var body = key.AsSpan(marker);
            var match = exact
                ? body.StartsWith(keyPrefix, StringComparison.Ordinal) && (body.Length == keyPrefix.Length || body[keyPrefix.Length] == '?')
                : body.StartsWith(keyPrefix, StringComparison.Ordinal);
            if (match)
            {
                _memory.Remove(key);
                removed += marker == 0 ? 1 : 0;
            }
        }
        Interlocked.Increment(ref _purgeGeneration); // and fills that started while the keys were walked
        var (entries, bytes) = Statistics;
        _metrics.CacheSize(entries, bytes);
        return removed;
    }

    /// <summary>
    /// Stale-while-revalidate: when <paramref name="entry"/> (expired) may still be served, starts one background
    /// refresh for its key (collapsed with any fill in flight, so a crowd makes one origin fetch) and returns true;
    /// the caller serves the old copy meanwhile.
    /// </summary>
    public bool TryRevalidateInBackground(HlsRequest request, CacheEntry entry, DateTimeOffset now)
    {
        var window = _config.Current.Cache.StaleWhileRevalidate;
        if (window <= TimeSpan.Zero || now >= entry.FreshUntil + window || !entry.IsImmutableContent || _memory.TryGetValue(PassPrefix + request.CacheKey, out _))
        {
            return false;
        }
        // nobody streams this fill's response: a too-large answer is just recorded as such
        _ = ResolveAsync(request with { CanTakeOpenResponse = false }, out var collapsed);
        if (!collapsed)
        {
            _metrics.BackgroundRefresh(request.Origin.Name);
            Log.BackgroundRefresh(_logger, request.CacheKey);
        }
        return true;
    }

    /// <summary>How long a 200 is kept past freshness: the longer of the stale-if-error and stale-while-revalidate windows.</summary>
    private TimeSpan StaleWindow(CacheEntry entry)
    {
        if (entry.StatusCode != 200)
        {
            return TimeSpan.Zero; // negative entries are not kept past freshness
        }
        var cache = _config.Current.Cache;
        return cache.StaleIfError > cache.StaleWhileRevalidate ? cache.StaleIfError : cache.StaleWhileRevalidate;
    }

    private TimeSpan StoreLifetime(CacheEntry entry) => entry.FreshFor + StaleWindow(entry);

    private void StoreInMemory(string key, CacheEntry entry)
    {
        var lifetime = entry.FreshUntil + StaleWindow(entry) - _time.GetUtcNow();
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
        [LoggerMessage(EventId = 2202, EventName = "CacheFillFailed", Level = LogLevel.Error, Message = "Cache fill for {Key} failed unexpectedly.")]
        public static partial void FillFailed(ILogger logger, string key, Exception exception);

        [LoggerMessage(EventId = 2204, EventName = "FillLockWaiting", Level = LogLevel.Debug, Message = "Another instance is filling {Key}; waiting for its shared entry.")]
        public static partial void WaitingForPeer(ILogger logger, string key);

        [LoggerMessage(EventId = 2205, EventName = "FillLockWaitTimedOut", Level = LogLevel.Warning, Message = "No shared entry for {Key} after waiting {WaitMs} ms for another instance; fetching locally.")]
        public static partial void PeerWaitTimedOut(ILogger logger, string key, double waitMs);

        [LoggerMessage(EventId = 2207, EventName = "FillLockPeerStoredNothing", Level = LogLevel.Debug, Message = "The instance that filled {Key} stored no shared entry; fetching locally.")]
        public static partial void PeerStoredNothing(ILogger logger, string key);

        [LoggerMessage(EventId = 2208, EventName = "FillLockPeerEntryMissing", Level = LogLevel.Debug, Message = "The instance that filled {Key} stored a shared entry, but it could not be read; fetching locally.")]
        public static partial void PeerEntryMissing(ILogger logger, string key);

        [LoggerMessage(EventId = 8420, EventName = "BackgroundRefresh", Level = LogLevel.Debug, Message = "Serving the expired {Key} while one background fetch refreshes it (stale-while-revalidate).")]
        public static partial void BackgroundRefresh(ILogger logger, string key);
    }
}
