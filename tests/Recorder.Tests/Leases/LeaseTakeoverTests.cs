using System.Collections.Concurrent;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Leases;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace HlsGateway.Tests.Leases;

/// <summary>
/// Two real gateways sharing one real redis-server, both configured with the same recording: exactly one
/// records; when it dies (renewal stops, lease not released) the other takes over within two lease periods
/// and continues after the dead holder's progress, with what it could no longer get in the gap ledger.
/// </summary>
public sealed class LeaseTakeoverTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan LeasePeriod = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _outA = Directory.CreateTempSubdirectory("rec-lease-a-").FullName;
    private readonly string _outB = Directory.CreateTempSubdirectory("rec-lease-b-").FullName;
    private RedisServer _redis = null!;
    private SyntheticLiveOrigin _origin = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _origin = await SyntheticLiveOrigin.StartAsync();
        for (var s = 0; s <= 3; s++)
        {
            _origin.Append(s, s);
        }
    }

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_outA, recursive: true);
        Directory.Delete(_outB, recursive: true);
    }

    private Dictionary<string, string?> Settings(string output) => new()
    {
        ["Gateway:Origins:o1"] = _origin.Origin.BaseUrl,
        ["Gateway:Redis"] = _redis.ConnectionString,
        ["Recorder:OutputDirectory"] = output,
        ["Recorder:FfmpegDirectory"] = Path.GetDirectoryName(Tools.Ffmpeg),
        ["Recorder:RetryDelay"] = "00:00:00.250",
        ["Recorder:LeasePeriod"] = "00:00:02",
        ["Recorder:Recordings:0:Name"] = "news",
        ["Recorder:Recordings:0:Url"] = "/hls/o1/live/index.m3u8",
    };

    private sealed class Instance(GatewayHost host) : IAsyncDisposable
    {
        private int _disposed;

        public ConcurrentQueue<RecorderEventArgs> Events { get; } = new();

        public GatewayHost Host => host;

        public RecordingManager Manager => host.Services.GetRequiredService<RecordingManager>();

        public RecordingStatus Status => Manager.Get("news")!;

        public IDisposable Subscribe() => host.Services.GetRequiredService<RecorderEventBus>().Subscribe((e, _) =>
        {
            Events.Enqueue(e);
            return ValueTask.CompletedTask;
        });

        public ValueTask DisposeAsync() => Interlocked.Exchange(ref _disposed, 1) == 0 ? host.DisposeAsync() : ValueTask.CompletedTask;
    }

    /// <summary>Appends the next segment every 700 ms until cancelled (only while <paramref name="running"/> is set).</summary>
    private async Task AppendLoopAsync(ManualResetEventSlim running, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(700, ct);
                if (running.IsSet)
                {
                    var next = _origin.NewestSequence + 1;
                    _origin.Append(next, (int)next);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [Fact]
    public async Task Exactly_one_instance_records_and_another_takes_over_within_two_lease_periods_when_it_dies()
    {
        await using var a = new Instance(await GatewayHost.StartAsync(Settings(_outA)));
        await using var b = new Instance(await GatewayHost.StartAsync(Settings(_outB)));
        using var subA = a.Subscribe();
        using var subB = b.Subscribe();
        using var running = new ManualResetEventSlim(true);
        using var stop = new CancellationTokenSource();
        var appender = AppendLoopAsync(running, stop.Token);

        await RecorderHost.WaitUntilAsync(() => a.Status.State == RecordingState.Recording || b.Status.State == RecordingState.Recording, Wait, "one instance recording");
        var (holder, standby) = a.Status.State == RecordingState.Recording ? (a, b) : (b, a);
        var standbyOut = standby == a ? _outA : _outB;

        // for three lease periods: the holder keeps writing, the other stays in standby and writes nothing
        var firstSeen = holder.Status.LastMediaSequence;
        await Task.Delay(LeasePeriod * 3);
        Assert.Equal(RecordingState.Standby, standby.Status.State);
        Assert.Equal(0, standby.Status.Segments);
        Assert.Empty(Directory.EnumerateFiles(standbyOut, "*.ts", SearchOption.AllDirectories));
        Assert.True(holder.Status.LastMediaSequence > firstSeen, "the holder kept recording");
        Assert.Equal(holder.Manager.InstanceId, holder.Status.LeaseHolder);
        Assert.Equal(holder.Manager.InstanceId, standby.Status.LeaseHolder);
        var db = holder.Host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        Assert.Equal(holder.Manager.InstanceId, (string?)await db.StringGetAsync(RedisLeaseStore.KeyPrefix + "news"));
        Assert.DoesNotContain(standby.Events, e => e is RecordStartEventArgs);

        // freeze the stream, let the holder record the newest segment and share that progress at a renewal
        running.Reset();
        var newest = _origin.NewestSequence;
        await RecorderHost.WaitUntilAsync(() => holder.Status.LastMediaSequence == newest, Wait, "holder caught up");
        await RecorderHost.WaitUntilAsync(async () => (string?)await db.StringGetAsync(RedisLeaseStore.ProgressPrefix + "news") == $"0:{newest}", Wait, "progress shared");

        // the holder dies: no renewal, no release, no part closed
        await holder.Manager.AbandonAllAsync();
        var died = DateTimeOffset.UtcNow;
        await holder.DisposeAsync();
        // while nobody records, the stream moves on past the window (4): newest+1 and newest+2 are gone for good
        for (var s = newest + 1; s <= newest + 6; s++)
        {
            _origin.Append(s, (int)s);
        }
        var start = await WaitForAsync<RecordStartEventArgs>(standby, e => e.Takeover, Wait);
        // keep the stream frozen until the new holder has read this window, so what it missed is exact
        await RecorderHost.WaitUntilAsync(() => standby.Status.LastMediaSequence >= newest + 6, Wait, "the new holder read the frozen window");
        running.Set();
        var takeover = start.TimeUtc - died;
        output.WriteLine($"takeover after the holder died: {takeover.TotalSeconds:0.000} s (lease period {LeasePeriod.TotalSeconds} s)");
        Assert.True(takeover <= LeasePeriod * 2, $"took over after {takeover.TotalSeconds:0.00} s (lease period {LeasePeriod.TotalSeconds} s)");
        Assert.Equal(standby.Manager.InstanceId, start.Instance);

        await RecorderHost.WaitUntilAsync(() => standby.Status.LastMediaSequence >= newest + 7, Wait, "the new holder records");
        await stop.CancelAsync();
        await appender;
        var status = standby.Status;
        Assert.Equal(RecordingState.Recording, status.State);
        Assert.Equal(standby.Manager.InstanceId, status.LeaseHolder);
        var gap = Assert.Single(status.Gaps);
        Assert.Equal((newest + 1, newest + 2, GapReasons.Takeover), (gap.From, gap.To, gap.Reason));
        Assert.Equal(newest + 3, status.Parts[0].FirstSequence);
        var db2 = standby.Host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase(); // the dead holder's connection is gone
        Assert.Equal(standby.Manager.InstanceId, (string?)await db2.StringGetAsync(RedisLeaseStore.KeyPrefix + "news"));
    }

    [Fact]
    public async Task A_graceful_stop_releases_the_lease_so_the_other_instance_takes_over_at_once()
    {
        await using var a = new Instance(await GatewayHost.StartAsync(Settings(_outA)));
        await RecorderHost.WaitUntilAsync(() => a.Status.State == RecordingState.Recording, Wait, "a records");
        await using var b = new Instance(await GatewayHost.StartAsync(Settings(_outB)));
        using var subB = b.Subscribe();
        await RecorderHost.WaitUntilAsync(() => b.Status.State == RecordingState.Standby, Wait, "b stands by");
        var last = a.Status.LastMediaSequence!.Value;

        var stopped = DateTimeOffset.UtcNow;
        await a.DisposeAsync(); // graceful: part closed, lease deleted with the final progress
        var start = await WaitForAsync<RecordStartEventArgs>(b, e => e.Takeover, Wait);
        output.WriteLine($"takeover after a graceful stop: {(start.TimeUtc - stopped).TotalSeconds:0.000} s");
        Assert.True(start.TimeUtc - stopped <= LeasePeriod, $"took over after {(start.TimeUtc - stopped).TotalSeconds:0.00} s");

        _origin.Append(last + 1, (int)last + 1);
        await RecorderHost.WaitUntilAsync(() => b.Status.LastMediaSequence == last + 1, Wait, "b records the next segment");
        Assert.Empty(b.Status.Gaps);
        Assert.Equal(last + 1, b.Status.Parts[0].FirstSequence);
    }

    [Fact]
    public async Task While_redis_is_down_the_holder_keeps_recording_and_the_standby_does_not_start()
    {
        await using var a = new Instance(await GatewayHost.StartAsync(Settings(_outA)));
        await RecorderHost.WaitUntilAsync(() => a.Status.State == RecordingState.Recording, Wait, "a records");
        await using var b = new Instance(await GatewayHost.StartAsync(Settings(_outB)));
        await RecorderHost.WaitUntilAsync(() => b.Status.State == RecordingState.Standby, Wait, "b stands by");
        using var running = new ManualResetEventSlim(true);
        using var stop = new CancellationTokenSource();
        var appender = AppendLoopAsync(running, stop.Token);

        await _redis.StopAsync();
        var down = _origin.NewestSequence;
        await Task.Delay(LeasePeriod * 3); // well past the lease's expiry
        await RecorderHost.WaitUntilAsync(() => a.Status.LastMediaSequence >= down + 3, Wait, "a still recording with Redis down");
        Assert.Equal(RecordingState.Recording, a.Status.State);
        Assert.Equal(RecordingState.Standby, b.Status.State);
        Assert.Equal(0, b.Status.Segments);
        Assert.Empty(a.Status.Gaps);

        // Redis back (empty: no persistence): exactly one instance ends up holding and recording
        await _redis.StartAgainAsync();
        var db = a.Host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        string? key = null;
        await RecorderHost.WaitUntilAsync(async () =>
        {
            key = await db.StringGetAsync(RedisLeaseStore.KeyPrefix + "news");
            return key is not null && a.Status.LeaseHolder == key && b.Status.LeaseHolder == key;
        }, Wait, "a lease in Redis again, seen by both");
        var holder = key == a.Manager.InstanceId ? a : b;
        var other = holder == a ? b : a;
        await RecorderHost.WaitUntilAsync(() => other.Status.State == RecordingState.Standby, Wait, "the other instance stands by");
        var mark = _origin.NewestSequence;
        await RecorderHost.WaitUntilAsync(() => holder.Status.State == RecordingState.Recording && holder.Status.LastMediaSequence >= mark + 2, Wait, "the holder records");
        Assert.Equal(RecordingState.Standby, other.Status.State);
        await stop.CancelAsync();
        await appender;
    }

    private static async Task<T> WaitForAsync<T>(Instance instance, Func<T, bool> predicate, TimeSpan timeout) where T : RecorderEventArgs
    {
        T? found = null;
        await RecorderHost.WaitUntilAsync(() => (found = instance.Events.OfType<T>().FirstOrDefault(predicate)) is not null, timeout, typeof(T).Name);
        return found!;
    }
}
