using System.Net;
using StackExchange.Redis;

namespace HlsGateway.Access;

/// <summary>
/// Token buckets kept in Redis (<c>Gateway:RateLimits:Shared=true</c>), so every gateway instance draws from the
/// same bucket per (client IP, kind). One Lua script per request refills and takes a token atomically, timed by
/// the Redis server's clock (instances' clocks may differ). Returns null when Redis cannot answer quickly: the
/// caller then uses its local buckets, so a Redis outage never fails or stalls requests.
/// </summary>
internal sealed partial class RedisRateLimitStore
{
    /// <summary>A request waits at most this long for Redis before the local bucket decides.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(250);

    // KEYS[1] bucket; ARGV[1] tokens per second, ARGV[2] bucket size. Returns {allowed (0/1), retry after ms}.
    private const string Script = """
        local rate = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local v = redis.call('HMGET', KEYS[1], 't', 'n')
        local tokens = burst
        if v[1] and v[2] then
          tokens = math.min(burst, tonumber(v[2]) + math.max(0, now - tonumber(v[1])) * rate / 1000)
        end
        local allowed = 0
        local wait = 0
        if tokens >= 1 then
          tokens = tokens - 1
          allowed = 1
        else
          wait = math.ceil((1 - tokens) * 1000 / rate)
        end
        redis.call('HSET', KEYS[1], 't', now, 'n', tostring(tokens))
        redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
        return {allowed, wait}
        """;

    private const string KeyPrefix = "hlsgw:rl:";

    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<RedisRateLimitStore> _logger;
    private int _failing;

    public RedisRateLimitStore(IConnectionMultiplexer redis, ILogger<RedisRateLimitStore> logger)
    {
        _redis = redis;
        _logger = logger;
    }

    /// <summary>The shared decision, or null when Redis is unavailable (use the local bucket).</summary>
    public async ValueTask<RateLimitDecision?> TryAcquireAsync(IPAddress? client, bool playlist, RateLimitRule rule, CancellationToken cancellationToken)
    {
        if (!_redis.IsConnected)
        {
            Failed("not connected");
            return null;
        }
        var key = KeyPrefix + (playlist ? "p:" : "s:") + (client?.IsIPv4MappedToIPv6 == true ? client.MapToIPv4() : client)?.ToString();
        var burst = rule.Burst > 0 ? rule.Burst : rule.PermitsPerSecond;
        try
        {
            var result = await _redis.GetDatabase().ScriptEvaluateAsync(Script, [key],
                [rule.PermitsPerSecond, burst]).WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
            var values = (RedisResult[])result!;
            Restored();
            return new RateLimitDecision((long)values[0] == 1, TimeSpan.FromMilliseconds((long)values[1]));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex.GetType().Name + ": " + ex.Message);
            return null;
        }
    }

    private void Failed(string reason)
    {
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            Log.Unavailable(_logger, reason);
        }
    }

    private void Restored()
    {
        if (Volatile.Read(ref _failing) == 1 && Interlocked.Exchange(ref _failing, 0) == 1)
        {
            Log.Restored(_logger);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3041, EventName = "SharedRateLimitUnavailable", Level = LogLevel.Warning, Message = "Shared rate limits: Redis unavailable, using per-instance limits until it answers: {Reason}")]
        public static partial void Unavailable(ILogger logger, string reason);

        [LoggerMessage(EventId = 3042, EventName = "SharedRateLimitRestored", Level = LogLevel.Information, Message = "Shared rate limits: Redis answers again; limits are shared across instances.")]
        public static partial void Restored(ILogger logger);
    }
}
