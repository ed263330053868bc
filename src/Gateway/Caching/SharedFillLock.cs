using System.Collections.Concurrent;
using System.Diagnostics;
using HlsGateway.Monitor.Metrics;
using StackExchange.Redis;

namespace HlsGateway.Caching;

/// <summary>
/// The fleet-wide half of request collapsing: a short Redis lock per cache key
/// (<c>SET hlsgw:lock:&lt;key&gt; &lt;token&gt; NX PX &lt;ttl&gt;</c>) so that one instance fetches from the
/// origin while the others wait for its entry in the shared tier. The holder releases, after its
/// shared write was acknowledged, with a compare-and-delete script that also publishes
/// <c>+&lt;key&gt;</c> (entry stored) or <c>-&lt;key&gt;</c> (nothing stored) on <c>hlsgw:filled</c>,
/// which wakes the waiters at once (they also poll, so a lost message only costs a poll interval).
/// A bare <c>&lt;key&gt;</c> (older instances) reads as "stored". Every Redis failure reads as
/// "unavailable", which sends the caller to its own origin fetch.
/// </summary>
internal sealed partial class SharedFillLock : IDisposable
{
    private const string LockPrefix = "hlsgw:lock:";

    // Delete only our own lock (it may have expired and been taken by another instance). "Stored" is
    // worth announcing either way; "nothing stored" only if the lock was ours, else it would send the
    // waiters of a live holder to the origin.
    private const string ReleaseScript = """
        local ours = redis.call('get', KEYS[1]) == ARGV[1]
        if ours then redis.call('del', KEYS[1]) end
        if ours or string.sub(ARGV[3], 1, 1) == '+' then return redis.call('publish', ARGV[2], ARGV[3]) end
        return 0
        """;

    private static readonly RedisChannel FilledChannel = RedisChannel.Literal("hlsgw:filled");

    private readonly IConnectionMultiplexer _redis;
    private readonly IGatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _waiters = new(StringComparer.Ordinal);
    private long _sequence;
    private int _subscribed; // 0 = not yet, 1 = subscribed or subscribing
    private long _lastErrorLogTicks;

    public SharedFillLock(IConnectionMultiplexer redis, IGatewayMetrics metrics, ILogger logger)
    {
        _redis = redis;
        _metrics = metrics;
        _logger = logger;
        EnsureSubscribed();
    }

    /// <summary>Waiters registered right now (tests check nothing leaks).</summary>
    internal int WaiterCount => _waiters.Count;

    /// <summary>
    /// Tries to take the fill lock for <paramref name="key"/>. Returns (true, token) when this instance
    /// now holds it, (true, null) when another instance does, (false, null) when Redis is unavailable.
    /// </summary>
    public async ValueTask<(bool Available, string? Token)> TryAcquireAsync(string key, TimeSpan ttl, CancellationToken ct)
    {
        if (!_redis.IsConnected)
        {
            return (false, null);
        }
        var token = string.Concat(_instanceId, ":", Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var started = Stopwatch.GetTimestamp();
        try
        {
            ct.ThrowIfCancellationRequested();
            var won = await _redis.GetDatabase().StringSetAsync(LockPrefix + key, token, ttl, When.NotExists).ConfigureAwait(false);
            _metrics.RedisCommand("set", Stopwatch.GetElapsedTime(started).TotalSeconds, ok: true);
            return (true, won ? token : null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _metrics.RedisCommand("set", Stopwatch.GetElapsedTime(started).TotalSeconds, ok: false);
            LogThrottled(ex);
            // A timed-out SET may still have taken the lock: drop it (if ours) and wake the waiters, who
            // would otherwise sit out the lock's TTL while we fetch without it.
            _ = ReleaseAsync(key, token, stored: false, CancellationToken.None).AsTask();
            return (false, null);
        }
    }

    /// <summary>
    /// Releases the lock if it is still ours and wakes every instance waiting on <paramref name="key"/>.
    /// <paramref name="stored"/>: the shared tier acknowledged this fill's entry (waiters read it), else they fetch themselves.
    /// </summary>
    public async ValueTask ReleaseAsync(string key, string token, bool stored, CancellationToken ct)
    {
        if (!_redis.IsConnected)
        {
            return; // the lock expires by itself; waiters poll and fall back
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            ct.ThrowIfCancellationRequested();
            await _redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [LockPrefix + key], [token, FilledChannel.ToString(), string.Concat(stored ? "+" : "-", key)]).ConfigureAwait(false);
            _metrics.RedisCommand("other", Stopwatch.GetElapsedTime(started).TotalSeconds, ok: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _metrics.RedisCommand("other", Stopwatch.GetElapsedTime(started).TotalSeconds, ok: false);
            LogThrottled(ex);
        }
    }

    /// <summary>
    /// A task that completes when some instance announces the end of a fill of <paramref name="key"/>, with
    /// whether it stored an entry in the shared tier. One waiter per key per instance (in-process collapsing
    /// guarantees it); dispose the registration.
    /// </summary>
    public Registration Watch(string key)
    {
        EnsureSubscribed();
        var tcs = _waiters.GetOrAdd(key, static _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        return new Registration(this, key, tcs);
    }

    private void EnsureSubscribed()
    {
        if (Interlocked.CompareExchange(ref _subscribed, 1, 0) == 0)
        {
            _ = SubscribeAsync();
        }
    }

    private async Task SubscribeAsync()
    {
        try
        {
            // StackExchange.Redis restores subscriptions by itself after a reconnect.
            await _redis.GetSubscriber().SubscribeAsync(FilledChannel, (_, message) =>
            {
                if (message.HasValue)
                {
                    var text = message.ToString();
                    var flagged = text.Length > 0 && text[0] is '+' or '-';
                    if (_waiters.TryGetValue(flagged ? text[1..] : text, out var tcs))
                    {
                        tcs.TrySetResult(!flagged || text[0] == '+');
                    }
                }
            }).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _subscribed, 0); // the next waiter tries again; until then waiters poll
            LogThrottled(ex);
        }
    }

    private void LogThrottled(Exception ex)
    {
        // at most one line per 5 s during an outage
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastErrorLogTicks);
        if (now - last > 5000 && Interlocked.CompareExchange(ref _lastErrorLogTicks, now, last) == last)
        {
            Log.FillLockUnavailable(_logger, ex.Message);
        }
    }

    public void Dispose()
    {
        if (Volatile.Read(ref _subscribed) == 1)
        {
            try
            {
                _redis.GetSubscriber().Unsubscribe(FilledChannel, flags: CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
            {
                // shutting down with Redis gone: nothing to unsubscribe from
            }
        }
    }

    /// <summary>A registered interest in one key's fill notification.</summary>
    internal readonly struct Registration(SharedFillLock owner, string key, TaskCompletionSource<bool> tcs) : IDisposable
    {
        /// <summary>Completes with true when the holder stored an entry in the shared tier, false when it did not.</summary>
        public Task<bool> Signaled => tcs.Task;

        public void Dispose() => owner._waiters.TryRemove(new KeyValuePair<string, TaskCompletionSource<bool>>(key, tcs));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2203, EventName = "FillLockUnavailable", Level = LogLevel.Warning, Message = "Fleet fill lock (Redis) unavailable, fetching locally: {Reason}")]
        public static partial void FillLockUnavailable(ILogger logger, string reason);
    }
}
