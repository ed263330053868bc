using System.Text.Json;
using StackExchange.Redis;

namespace HlsGateway.Access;

/// <summary>
/// Live allowlist entries shared by every instance: a Redis hash (field = canonical CIDR, value = JSON
/// {note, createdAt, expiresAt}) plus a pub/sub channel. A write publishes; every instance (the writer
/// too) re-reads the hash on the message, so a change applies everywhere well within a second. Pub/sub
/// is at-most-once, so instances also re-read after a reconnect and every 30 s. Expired fields are
/// ignored by readers and deleted by whoever sees them.
/// </summary>
internal sealed partial class RedisAllowlistStore : IAllowlistStore, IDisposable
{
    public const string HashKey = "hlsgw:allowlist";
    public static readonly RedisChannel Channel = RedisChannel.Literal("hlsgw:allowlist:changed");
    private static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(30);

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisAllowlistStore> _logger;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private volatile AllowlistEntry[] _entries = [];
    private ITimer? _resync;
    private bool _subscribed;

    public RedisAllowlistStore(IConnectionMultiplexer redis, TimeProvider time, ILogger<RedisAllowlistStore> logger)
    {
        _redis = redis;
        _time = time;
        _logger = logger;
        _redis.ConnectionRestored += OnConnectionRestored;
    }

    public IReadOnlyCollection<AllowlistEntry> Entries => _entries;

    public event Action? Changed;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        _resync ??= _time.CreateTimer(static s => _ = ((RedisAllowlistStore)s!).ReloadSafeAsync(), this, ResyncInterval, ResyncInterval);
        await EnsureSubscribedAsync().ConfigureAwait(false);
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask AddAsync(AllowlistEntry entry, CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        await db.HashSetAsync(HashKey, entry.Cidr, Serialize(entry)).WaitAsync(cancellationToken).ConfigureAwait(false);
        await PublishAndReloadAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> RemoveAsync(string cidr, CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        var removed = await db.HashDeleteAsync(HashKey, cidr).WaitAsync(cancellationToken).ConfigureAwait(false);
        await PublishAndReloadAsync(cancellationToken).ConfigureAwait(false);
        return removed;
    }

    private async Task PublishAndReloadAsync(CancellationToken cancellationToken)
    {
        await _redis.GetSubscriber().PublishAsync(Channel, "changed").WaitAsync(cancellationToken).ConfigureAwait(false);
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureSubscribedAsync()
    {
        if (_subscribed)
        {
            return;
        }
        await _redis.GetSubscriber().SubscribeAsync(Channel, (_, _) => _ = ReloadSafeAsync()).ConfigureAwait(false);
        _subscribed = true;
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => _ = ReloadSafeAsync();

    private async Task ReloadSafeAsync()
    {
        try
        {
            await EnsureSubscribedAsync().ConfigureAwait(false);
            await ReloadAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ReloadFailed(_logger, ex); // keep the last known entries; the next message or resync retries
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var db = _redis.GetDatabase();
            var fields = await db.HashGetAllAsync(HashKey).WaitAsync(cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var entries = new List<AllowlistEntry>(fields.Length);
            List<RedisValue>? expired = null;
            foreach (var field in fields)
            {
                var entry = Deserialize(field.Name!, field.Value);
                if (entry is null)
                {
                    Log.BadEntry(_logger, field.Name.ToString());
                    continue;
                }
                if (entry.IsActive(now))
                {
                    entries.Add(entry);
                }
                else
                {
                    (expired ??= []).Add(field.Name);
                }
            }
            if (expired is not null)
            {
                await db.HashDeleteAsync(HashKey, expired.ToArray(), CommandFlags.FireAndForget).ConfigureAwait(false);
            }
            entries.Sort(static (a, b) => string.CompareOrdinal(a.Cidr, b.Cidr));
            _entries = entries.ToArray();
        }
        finally
        {
            _reloadGate.Release();
        }
        Changed?.Invoke();
    }

    internal static string Serialize(AllowlistEntry entry)
    {
        using var buffer = new MemoryStream(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (entry.Note is not null)
            {
                json.WriteString("note", entry.Note);
            }
            json.WriteNumber("createdAt", entry.CreatedAt.ToUnixTimeMilliseconds());
            if (entry.ExpiresAt is { } at)
            {
                json.WriteNumber("expiresAt", at.ToUnixTimeMilliseconds());
            }
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    internal static AllowlistEntry? Deserialize(string cidr, RedisValue value)
    {
        if (!Cidr.TryParse(cidr, out _, out _) || value.IsNullOrEmpty)
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse((string)value!);
            var root = doc.RootElement;
            var note = root.TryGetProperty("note", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            var created = root.TryGetProperty("createdAt", out var c) && c.TryGetInt64(out var cms) ? DateTimeOffset.FromUnixTimeMilliseconds(cms) : DateTimeOffset.UnixEpoch;
            DateTimeOffset? expires = root.TryGetProperty("expiresAt", out var e) && e.TryGetInt64(out var ems) ? DateTimeOffset.FromUnixTimeMilliseconds(ems) : null;
            return new AllowlistEntry(cidr, note, created, expires);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _redis.ConnectionRestored -= OnConnectionRestored;
        _resync?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3050, EventName = "AllowlistRedisReloadFailed", Level = LogLevel.Warning, Message = "Could not read the shared allowlist from Redis; keeping the last known entries.")]
        public static partial void ReloadFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3051, EventName = "AllowlistRedisBadEntry", Level = LogLevel.Warning, Message = "Ignoring unreadable shared allowlist entry '{Field}'.")]
        public static partial void BadEntry(ILogger logger, string field);
    }
}
