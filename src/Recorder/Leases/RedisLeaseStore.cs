using StackExchange.Redis;

namespace HlsGateway.Recorder.Leases;

/// <summary>
/// Leases shared by every gateway instance on one Redis: key <c>hlsgw:lease:recording:&lt;name&gt;</c> holds
/// the holder's instance id, taken with SET NX PX, extended by a compare-and-pexpire script and given up
/// by compare-and-delete, so an instance can only ever extend or delete its own lease. The holder's
/// progress (last discontinuity:media sequence handled) lives next to it for a taker to continue from.
/// Redis errors and timeouts are answered as <see cref="LeaseOutcome.Unavailable"/>.
/// </summary>
internal sealed partial class RedisLeaseStore(IConnectionMultiplexer redis, ILogger<RedisLeaseStore> logger) : IRecordingLeaseStore
{
    public const string KeyPrefix = "hlsgw:lease:recording:";
    public const string ProgressPrefix = "hlsgw:progress:recording:";

    /// <summary>How long the last holder's progress is kept after the last renewal.</summary>
    public static readonly TimeSpan ProgressTtl = TimeSpan.FromHours(1);

    // KEYS: lease, progress. ARGV: owner, period ms, progress ('' = none), progress ttl ms.
    private const string RenewScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4]) end
          return 1
        end
        return 0
        """;

    // KEYS: lease, progress. ARGV: owner, progress ('' = none), progress ttl ms.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    public async ValueTask<LeaseAttempt> TryAcquireAsync(string name, string owner, TimeSpan period, CancellationToken cancellationToken)
    {
        try
        {
            var db = redis.GetDatabase();
            if (await db.StringSetAsync(KeyPrefix + name, owner, period, When.NotExists).ConfigureAwait(false))
            {
                var progress = await db.StringGetAsync(ProgressPrefix + name).ConfigureAwait(false);
                return new LeaseAttempt(LeaseOutcome.Held, owner, LeaseProgress.Parse(progress));
            }
            var holder = (string?)await db.StringGetAsync(KeyPrefix + name).ConfigureAwait(false);
            if (holder == owner)
            {
                return await RenewAsync(name, owner, period, null, cancellationToken).ConfigureAwait(false);
            }
            return holder is null ? LeaseAttempt.Unavailable : new LeaseAttempt(LeaseOutcome.HeldByOther, holder); // null: expired in between, next try
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.Unavailable(logger, name, ex.Message);
            return LeaseAttempt.Unavailable;
        }
    }

    public async ValueTask<LeaseAttempt> RenewAsync(string name, string owner, TimeSpan period, LeaseProgress? progress, CancellationToken cancellationToken)
    {
        try
        {
            var db = redis.GetDatabase();
            var renewed = (long)await db.ScriptEvaluateAsync(RenewScript, [KeyPrefix + name, ProgressPrefix + name],
                [owner, (long)period.TotalMilliseconds, progress?.ToString() ?? string.Empty, (long)ProgressTtl.TotalMilliseconds]).ConfigureAwait(false);
            if (renewed == 1)
            {
                return new LeaseAttempt(LeaseOutcome.Held, owner);
            }
            // expired while Redis was unreachable: take it again if nobody else did meanwhile
            if (await db.StringSetAsync(KeyPrefix + name, owner, period, When.NotExists).ConfigureAwait(false))
            {
                return new LeaseAttempt(LeaseOutcome.Held, owner);
            }
            var holder = (string?)await db.StringGetAsync(KeyPrefix + name).ConfigureAwait(false);
            return holder == owner ? new LeaseAttempt(LeaseOutcome.Held, owner) : new LeaseAttempt(LeaseOutcome.HeldByOther, holder);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.Unavailable(logger, name, ex.Message);
            return LeaseAttempt.Unavailable;
        }
    }

    public async ValueTask ReleaseAsync(string name, string owner, LeaseProgress? progress, CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [KeyPrefix + name, ProgressPrefix + name],
                [owner, progress?.ToString() ?? string.Empty, (long)ProgressTtl.TotalMilliseconds]).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or OperationCanceledException)
        {
            // the lease then simply expires after one period
            Log.Unavailable(logger, name, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6060, EventName = "LeaseStoreUnavailable", Level = LogLevel.Warning, Message = "Recording lease {Recording}: Redis unavailable ({Error}).")]
        public static partial void Unavailable(ILogger logger, string recording, string error);
    }
}
