using System.Collections.Concurrent;
using System.Globalization;
using HlsGateway.Monitor.Metrics;
using StackExchange.Redis;

namespace HlsGateway.Caching;

/// <summary>What a purge removes: one object (under any query) or everything below a directory.</summary>
/// <param name="KeyPrefix">The cache key without query: <c>origin/path</c> or <c>origin/dir/</c>.</param>
internal readonly record struct PurgeTarget(string KeyPrefix, bool Exact)
{
    public string Kind => Exact ? "path" : "prefix";

    public string Tag => Exact ? PurgeTags.Path(KeyPrefix) : PurgeTags.Directory(KeyPrefix);
}

/// <param name="Purged">Objects removed from the memory tiers of the instances that answered (an object held by two instances counts twice).</param>
/// <param name="Instances">Instances that purged their memory tier (this one included).</param>
/// <param name="Complete">Every instance reached answered, and the shared tier was purged (or there is none).</param>
internal readonly record struct PurgeResult(int Purged, int Instances, bool Complete, string? Problem = null);

/// <summary>
/// Purges an object or a prefix on every instance. Order matters, so that no instance can refill from a copy the
/// purge has not removed yet: this instance's memory tier first, then the shared tier by tag, then every other
/// instance's memory tier through Redis pub/sub (each answers with its count on an ack channel; the caller waits
/// for as many answers as Redis delivered the message to, at most <see cref="AckWait"/>), then the shared tier
/// once more for a fill that was writing while the message travelled. Fills in flight anywhere never store what
/// they fetched before the purge (<see cref="HlsCache.PurgeMemory"/>). Without Redis only the memory tier exists.
/// </summary>
internal sealed partial class CachePurger : IHostedService
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("hlsgw:cache:purge");
    public static readonly RedisChannel AckChannel = RedisChannel.Literal("hlsgw:cache:purge:ack");
    private static readonly TimeSpan AckWait = TimeSpan.FromSeconds(2);

    private readonly HlsCache _cache;
    private readonly SharedCacheStore? _shared;
    private readonly IConnectionMultiplexer? _redis;
    private readonly IGatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<CachePurger> _logger;
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private volatile bool _subscribed;

    public CachePurger(HlsCache cache, IGatewayMetrics metrics, TimeProvider time, ILogger<CachePurger> logger, IServiceProvider services)
    {
        _cache = cache;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _shared = services.GetService<SharedCacheStore>();
        _redis = _shared is null ? null : services.GetService<IConnectionMultiplexer>();
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_redis is null)
        {
            return;
        }
        _redis.ConnectionRestored += (_, _) => _ = SubscribeAsync();
        await SubscribeAsync().ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<PurgeResult> PurgeAsync(PurgeTarget target, CancellationToken ct)
    {
        var purged = _cache.PurgeMemory(target.KeyPrefix, target.Exact);
        if (_shared is null || _redis is null)
        {
            return Done(target, new PurgeResult(purged, 1, Complete: true));
        }
        if (!_redis.IsConnected)
        {
            return Done(target, new PurgeResult(purged, 1, Complete: false, "Redis is unavailable: the shared tier and the other instances were not purged; retry when it is back"));
        }
        var id = Guid.NewGuid().ToString("N");
        var pending = new Pending();
        _pending[id] = pending;
        try
        {
            await _shared.EvictAsync(target.Tag, ct).ConfigureAwait(false);
            var reached = await _redis.GetSubscriber().PublishAsync(Channel, $"{id}|{_instance}|{(target.Exact ? 'p' : 'd')}|{target.KeyPrefix}").WaitAsync(ct).ConfigureAwait(false);
            var expected = (int)reached - (_subscribed ? 1 : 0); // our own subscription hears it too and ignores it
            pending.Expect(expected);
            var answered = await pending.WaitAsync(AckWait, _time, ct).ConfigureAwait(false);
            await _shared.EvictAsync(target.Tag, ct).ConfigureAwait(false);
            var (count, sum) = pending.Totals;
            return Done(target, answered
                ? new PurgeResult(purged + sum, 1 + count, Complete: true)
                : new PurgeResult(purged + sum, 1 + count, Complete: false, $"{expected - count} of {expected} other instance(s) did not answer within {AckWait.TotalSeconds:0} s"));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return Done(target, new PurgeResult(purged + pending.Totals.Sum, 1 + pending.Totals.Count, Complete: false, $"Redis failed during the purge ({ex.Message}); retry"));
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private PurgeResult Done(PurgeTarget target, PurgeResult result)
    {
        _metrics.CachePurged(target.Kind, result.Purged);
        if (result.Complete)
        {
            Log.Purged(_logger, target.Kind, target.KeyPrefix, result.Purged, result.Instances);
        }
        else
        {
            Log.PurgeIncomplete(_logger, target.Kind, target.KeyPrefix, result.Purged, result.Instances, result.Problem!);
        }
        return result;
    }

    private async Task SubscribeAsync()
    {
        if (_subscribed || _redis is null)
        {
            return;
        }
        try
        {
            var subscriber = _redis.GetSubscriber();
            await subscriber.SubscribeAsync(Channel, (channel, message) => _ = OnPurgeAsync(message.ToString())).ConfigureAwait(false);
            await subscriber.SubscribeAsync(AckChannel, (channel, message) => OnAck(message.ToString())).ConfigureAwait(false);
            _subscribed = true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.SubscribeFailed(_logger, ex.Message); // retried when the connection is restored
        }
    }

    /// <summary>Another instance's purge: "id|from|p or d|key prefix".</summary>
    private async Task OnPurgeAsync(string message)
    {
        var parts = message.Split('|', 4);
        if (parts.Length != 4 || parts[1] == _instance)
        {
            return;
        }
        var target = new PurgeTarget(parts[3], parts[2] == "p");
        var purged = _cache.PurgeMemory(target.KeyPrefix, target.Exact);
        Log.PurgedForPeer(_logger, target.Kind, target.KeyPrefix, purged);
        try
        {
            await _redis!.GetSubscriber().PublishAsync(AckChannel, $"{parts[0]}|{purged.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.SubscribeFailed(_logger, ex.Message);
        }
    }

    /// <summary>"id|count" from an instance that purged for a purge started here.</summary>
    private void OnAck(string message)
    {
        var bar = message.IndexOf('|');
        if (bar > 0 && _pending.TryGetValue(message[..bar], out var pending)
            && int.TryParse(message.AsSpan(bar + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            pending.Answer(count);
        }
    }

    /// <summary>Answers to one purge; complete when as many arrived as Redis delivered the message to.</summary>
    private sealed class Pending
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _expected = -1;
        private int _count;
        private int _sum;

        public (int Count, int Sum) Totals => (Volatile.Read(ref _count), Volatile.Read(ref _sum));

        public void Expect(int expected)
        {
            Volatile.Write(ref _expected, expected);
            Check();
        }

        public void Answer(int purged)
        {
            Interlocked.Add(ref _sum, purged);
            Interlocked.Increment(ref _count);
            Check();
        }

        public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
        {
            try
            {
                await _all.Task.WaitAsync(timeout, time, ct).ConfigureAwait(false);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        private void Check()
        {
            var expected = Volatile.Read(ref _expected);
            if (expected >= 0 && Volatile.Read(ref _count) >= expected)
            {
                _all.TrySetResult();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8410, EventName = "CachePurged", Level = LogLevel.Information, Message = "Purged {Kind} {Target}: {Entries} entries on {Instances} instance(s), shared tier included.")]
        public static partial void Purged(ILogger logger, string kind, string target, int entries, int instances);

        [LoggerMessage(EventId = 8411, EventName = "CachePurgeIncomplete", Level = LogLevel.Warning, Message = "Purge of {Kind} {Target} incomplete: {Entries} entries on {Instances} instance(s); {Problem}.")]
        public static partial void PurgeIncomplete(ILogger logger, string kind, string target, int entries, int instances, string problem);

        [LoggerMessage(EventId = 8412, EventName = "CachePurgedForPeer", Level = LogLevel.Information, Message = "Purged {Kind} {Target} for another instance: {Entries} entries.")]
        public static partial void PurgedForPeer(ILogger logger, string kind, string target, int entries);

        [LoggerMessage(EventId = 8413, EventName = "CachePurgeSubscribeFailed", Level = LogLevel.Warning, Message = "Cache purge channel unavailable (retried when Redis reconnects): {Reason}")]
        public static partial void SubscribeFailed(ILogger logger, string reason);
    }
}
