using System.Collections.Concurrent;
using HlsGateway.Configuration;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Proxy;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Proxy;

/// <summary><see cref="OriginFailover"/>'s passive health on a fake clock: which URL a request gets, when a URL is probed and when it is back.</summary>
public sealed class OriginFailoverStateTests
{
    private static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(10);

    private sealed class FailoverMetrics : IGatewayMetrics
    {
        public readonly ConcurrentQueue<(string Origin, string From, string To)> Failovers = new();

        public void OriginFailover(string origin, string from, string to) => Failovers.Enqueue((origin, from, to));

        public void RequestCompleted(RouteKind kind, string origin, int statusCode, CacheResult cache, double seconds, long bytesSent) { }

        public void OriginFetch(string origin, RouteKind kind, int statusCode, double seconds, long bytesReceived, string? error) { }

        public void RequestCollapsed(string origin) { }

        public void RequestDenied(string reason) { }

        public void CacheSize(long entries, long bytes) { }

        public void RedisCommand(string command, double seconds, bool ok) { }

        public void RedisConnected(bool connected) { }
    }

    private static (OriginFailover Failover, FakeTimeProvider Time, FailoverMetrics Metrics) Create(int backups)
    {
        var time = new FakeTimeProvider();
        var metrics = new FailoverMetrics();
        var settings = new OriginSettings { FailoverCooldown = Cooldown };
        for (var i = 0; i < backups; i++)
        {
            settings.Backups.Add($"http://backup{i}.example:8080/base/");
        }
        var origin = OriginHandlerFactory.Create("news", new Uri("http://primary.example/base/"), settings, new ProxyOptions(),
            new OriginFailoverHooks(time, metrics, NullLogger.Instance));
        origin.Invoker.Dispose();
        return (origin.Failover, time, metrics);
    }

    [Fact]
    public void One_url_is_never_taken_out()
    {
        var (failover, time, metrics) = Create(backups: 0);
        var attempt = failover.Choose();
        failover.Failed(attempt, "connect: refused");
        Assert.False(failover.TryNext(attempt, out _));
        Assert.Same(failover.Urls[0], failover.Choose().Url);
        Assert.True(failover.Urls[0].IsHealthy);
        Assert.Empty(metrics.Failovers);
        Assert.Equal("healthy", failover.Status().Urls[0].State);
        time.Advance(Cooldown);
        Assert.False(failover.Choose().IsProbe);
    }

    [Fact]
    public void A_failure_moves_requests_to_the_backup_until_a_probe_of_the_primary_succeeds()
    {
        var (failover, time, metrics) = Create(backups: 1);
        var (primary, backup) = (failover.Urls[0], failover.Urls[1]);
        Assert.Equal("http://primary.example/base", primary.BaseUrl);
        Assert.Equal("http://backup0.example:8080/base", backup.BaseUrl);

        var first = failover.Choose();
        Assert.Same(primary, first.Url);
        failover.Failed(first, "status: origin answered 503");
        Assert.True(failover.TryNext(first, out var retry));
        Assert.Same(backup, retry.Url);
        Assert.False(retry.IsProbe);
        Assert.Same(backup, failover.Active);
        Assert.Equal(("news", "http://primary.example/base", "http://backup0.example:8080/base"), Assert.Single(metrics.Failovers));

        // inside the cooldown: the backup, no probe
        time.Advance(Cooldown - TimeSpan.FromSeconds(1));
        Assert.Equal(new OriginAttempt(backup, false), failover.Choose());
        var status = failover.Status();
        Assert.Equal("http://backup0.example:8080/base", status.ActiveUrl);
        Assert.Equal("down", status.Urls[0].State);
        Assert.Equal(1.0, status.Urls[0].RetryInSeconds);
        Assert.Equal("status: origin answered 503", status.Urls[0].LastFailure);
        Assert.True(status.Urls[1].Active);

        // cooldown over: exactly one request probes the primary, the others stay on the backup
        time.Advance(TimeSpan.FromSeconds(1));
        var probe = failover.Choose();
        Assert.Equal(new OriginAttempt(primary, true), probe);
        Assert.Equal(new OriginAttempt(backup, false), failover.Choose());
        Assert.Equal("probing", failover.Status().Urls[0].State);
        failover.Succeeded(probe);
        Assert.Same(primary, failover.Active);
        Assert.True(primary.IsHealthy);
        Assert.Equal(new OriginAttempt(primary, false), failover.Choose());
        Assert.Equal(2, failover.Failovers);
        Assert.Equal(("news", "http://backup0.example:8080/base", "http://primary.example/base"), metrics.Failovers.Last());
    }

    [Fact]
    public void A_failed_probe_keeps_the_backup_and_starts_a_new_cooldown()
    {
        var (failover, time, _) = Create(backups: 1);
        var primary = failover.Urls[0];
        failover.Failed(failover.Choose(), "connect: ConnectionRefused");
        time.Advance(Cooldown);
        var probe = failover.Choose();
        Assert.True(probe.IsProbe);
        failover.Failed(probe, "connect: ConnectionRefused");
        Assert.True(failover.TryNext(probe, out var retry));
        Assert.Same(failover.Urls[1], retry.Url);
        Assert.Same(failover.Urls[1], failover.Active);
        Assert.False(failover.Choose().IsProbe);
        Assert.Equal(2, failover.Status().Urls[0].Failures);
        time.Advance(Cooldown);
        Assert.Equal(new OriginAttempt(primary, true), failover.Choose());
    }

    [Fact]
    public void An_abandoned_probe_lets_the_next_request_probe()
    {
        var (failover, time, _) = Create(backups: 1);
        failover.Failed(failover.Choose(), "timeout: no complete response within 45 s");
        time.Advance(Cooldown);
        var probe = failover.Choose();
        Assert.True(probe.IsProbe);
        Assert.False(failover.Choose().IsProbe);
        failover.Abandoned(probe); // the client went away
        Assert.True(failover.Choose().IsProbe);
    }

    [Fact]
    public void A_request_that_started_before_the_failure_does_not_bring_the_url_back()
    {
        var (failover, _, _) = Create(backups: 1);
        var inFlight = failover.Choose();
        var failing = failover.Choose();
        failover.Failed(failing, "connect: ConnectionReset");
        failover.Succeeded(inFlight); // answered before the primary died
        Assert.False(failover.Urls[0].IsHealthy);
        Assert.Same(failover.Urls[1], failover.Active);
    }

    [Fact]
    public void Backups_are_used_in_order_and_every_url_down_falls_back_to_the_primary()
    {
        var (failover, time, metrics) = Create(backups: 2);
        var (primary, b0, b1) = (failover.Urls[0], failover.Urls[1], failover.Urls[2]);
        failover.Failed(new OriginAttempt(primary, false), "connect: refused");
        Assert.Same(b0, failover.Active);
        failover.Failed(new OriginAttempt(b0, false), "connect: refused");
        Assert.Same(b1, failover.Active);
        failover.Failed(new OriginAttempt(b1, false), "connect: refused");
        Assert.Same(primary, failover.Active);
        Assert.Equal(3, metrics.Failovers.Count);

        // nothing healthy and nothing due: no retry
        Assert.False(failover.TryNext(new OriginAttempt(primary, false), out _));
        Assert.Equal(new OriginAttempt(primary, false), failover.Choose());

        // every cooldown over: the first URL in order is probed, and its retry probes the next one
        time.Advance(Cooldown);
        var probe = failover.Choose();
        Assert.Equal(new OriginAttempt(primary, true), probe);
        failover.Failed(probe, "connect: refused");
        Assert.True(failover.TryNext(probe, out var next));
        Assert.Equal(new OriginAttempt(b0, true), next);
        failover.Succeeded(next);
        Assert.Same(b0, failover.Active);
        Assert.Equal("healthy", failover.Status().Urls[1].State);
    }

    [Fact]
    public void The_url_set_is_part_of_the_fingerprint()
    {
        var settings = new OriginSettings();
        var a = OriginHandlerFactory.Create("news", new Uri("http://primary.example/"), settings, new ProxyOptions());
        settings.Backups.Add("http://backup.example/");
        var b = OriginHandlerFactory.Create("news", new Uri("http://primary.example/"), settings, new ProxyOptions());
        settings.FailoverCooldown = TimeSpan.FromSeconds(30);
        var c = OriginHandlerFactory.Create("news", new Uri("http://primary.example/"), settings, new ProxyOptions());
        Assert.NotEqual(a.Fingerprint, b.Fingerprint);
        Assert.NotEqual(b.Fingerprint, c.Fingerprint);
        foreach (var o in new[] { a, b, c })
        {
            o.Invoker.Dispose();
        }
    }

    [Fact]
    public void Credentials_in_a_url_stay_out_of_labels_and_stats()
    {
        var settings = new OriginSettings { Backups = { "http://user:secret@backup.example/base/" } };
        var origin = OriginHandlerFactory.Create("news", new Uri("http://primary.example/"), settings, new ProxyOptions());
        origin.Invoker.Dispose();
        Assert.Equal("http://backup.example/base", origin.Failover.Urls[1].DisplayUrl);
        Assert.DoesNotContain("secret", string.Join(' ', origin.Failover.Status().Urls.Select(u => u.Url)), StringComparison.Ordinal);
    }
}
