using HlsGateway.Recorder.Leases;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace HlsGateway.Tests.Leases;

/// <summary>The lease primitives against a real redis-server: SET NX PX, compare-and-pexpire, compare-and-delete, outage.</summary>
public sealed class RedisLeaseStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _mux = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        var options = ConfigurationOptions.Parse(_redis.ConnectionString);
        options.AbortOnConnectFail = false;
        options.AsyncTimeout = 1000;
        options.ConnectTimeout = 1000;
        _mux = await ConnectionMultiplexer.ConnectAsync(options);
    }

    public async Task DisposeAsync()
    {
        await _mux.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Only_one_owner_holds_a_lease_renewal_and_release_are_owner_checked_and_progress_passes_on()
    {
        var store = new RedisLeaseStore(_mux, NullLogger<RedisLeaseStore>.Instance);
        var db = _mux.GetDatabase();

        var a = await store.TryAcquireAsync("news", "A", Period, default);
        Assert.Equal((LeaseOutcome.Held, "A", (LeaseProgress?)null), (a.Outcome, a.Holder, a.Progress));
        Assert.Equal("A", (string?)await db.StringGetAsync("hlsgw:lease:recording:news"));
        var ttl = await db.KeyTimeToLiveAsync("hlsgw:lease:recording:news");
        Assert.True(ttl > TimeSpan.Zero && ttl <= Period, $"ttl {ttl}");

        var b = await store.TryAcquireAsync("news", "B", Period, default);
        Assert.Equal((LeaseOutcome.HeldByOther, "A"), (b.Outcome, b.Holder));
        Assert.Equal(LeaseOutcome.HeldByOther, (await store.RenewAsync("news", "B", Period, new LeaseProgress(0, 99), default)).Outcome);
        await store.ReleaseAsync("news", "B", null, default); // not B's: must not delete
        Assert.Equal("A", (string?)await db.StringGetAsync("hlsgw:lease:recording:news"));

        Assert.Equal(LeaseOutcome.Held, (await store.RenewAsync("news", "A", Period, new LeaseProgress(2, 41), default)).Outcome);
        Assert.Equal("2:41", (string?)await db.StringGetAsync(RedisLeaseStore.ProgressPrefix + "news"));
        await store.ReleaseAsync("news", "A", new LeaseProgress(2, 42), default);
        Assert.False(await db.KeyExistsAsync("hlsgw:lease:recording:news"));

        var taken = await store.TryAcquireAsync("news", "B", Period, default);
        Assert.Equal((LeaseOutcome.Held, "B", (LeaseProgress?)new LeaseProgress(2, 42)), (taken.Outcome, taken.Holder, taken.Progress));

        // B's lease expired (e.g. a Redis outage longer than the period) and nobody took it: renewal takes it again
        await db.KeyDeleteAsync("hlsgw:lease:recording:news");
        Assert.Equal(LeaseOutcome.Held, (await store.RenewAsync("news", "B", Period, null, default)).Outcome);
        Assert.Equal("B", (string?)await db.StringGetAsync("hlsgw:lease:recording:news"));
    }

    [Fact]
    public async Task A_redis_outage_is_answered_as_unavailable_not_thrown()
    {
        var store = new RedisLeaseStore(_mux, NullLogger<RedisLeaseStore>.Instance);
        Assert.Equal(LeaseOutcome.Held, (await store.TryAcquireAsync("news", "A", Period, default)).Outcome);
        await _redis.StopAsync();
        Assert.Equal(LeaseOutcome.Unavailable, (await store.RenewAsync("news", "A", Period, null, default)).Outcome);
        Assert.Equal(LeaseOutcome.Unavailable, (await store.TryAcquireAsync("news", "B", Period, default)).Outcome);
        await store.ReleaseAsync("news", "A", null, default);
    }
}
