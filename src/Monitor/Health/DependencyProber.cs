using System.Collections.Frozen;
using System.Diagnostics;
using HlsGateway.Monitor.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HlsGateway.Monitor.Health;

/// <summary>
/// Probes every origin (a HEAD of its base URL or <c>Monitor:OriginProbePath</c> through the
/// gateway's own pooled invoker) and pings Redis, at most once per <c>Monitor:OriginProbeInterval</c>,
/// on demand: when /health is asked, and in the background when /metrics is scraped or /stats is
/// read with stale results. Nobody watching means no probe traffic to origins; a burst of /health
/// calls shares one round. Any HTTP answer below 500 counts as up: the origin is reachable and
/// serving, even when its base URL itself is not a resource (404).
/// </summary>
internal sealed partial class DependencyProber(
    IServiceProvider services,
    IOptions<MonitorOptions> options,
    IGatewayMetrics metrics,
    TimeProvider time,
    ILogger<DependencyProber> logger)
{
    private readonly Lock _sync = new();
    private FrozenDictionary<string, OriginHealth> _origins = FrozenDictionary<string, OriginHealth>.Empty;
    private Task? _inFlight;
    private long _lastProbe = long.MinValue;
    private RedisProbe? _redis;

    public bool RedisConfigured => services.GetService<IConnectionMultiplexer>() is not null;

    public RedisProbe? LastRedis => Volatile.Read(ref _redis);

    /// <summary>Latest origin results, configured origins not yet probed as <c>unknown</c>.</summary>
    public IReadOnlyList<OriginHealth> Origins
    {
        get
        {
            var known = _origins;
            var list = new List<OriginHealth>();
            foreach (var origin in Directory())
            {
                list.Add(known.TryGetValue(origin.Name, out var h) ? h : new OriginHealth(origin.Name, ProbeUri(origin).AbsoluteUri, OriginHealth.Unknown, null, null, null, null));
            }
            list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            return list;
        }
    }

    /// <summary>The cached origin results, probing first when they are older than the interval (or missing).</summary>
    public async Task<IReadOnlyList<OriginHealth>> GetOriginsAsync(CancellationToken ct)
    {
        if (Stale || Origins.Any(o => o.Status == OriginHealth.Unknown))
        {
            await ProbeOnceAsync().WaitAsync(ct).ConfigureAwait(false);
        }
        return Origins;
    }

    /// <summary>PINGs Redis now (readiness must notice an outage promptly); null when Redis is not configured.</summary>
    public async Task<RedisProbe?> PingRedisAsync(CancellationToken ct)
    {
        var mux = services.GetService<IConnectionMultiplexer>();
        if (mux is null)
        {
            return null;
        }
        var now = time.GetUtcNow();
        RedisProbe result;
        if (!mux.IsConnected)
        {
            result = new RedisProbe(false, null, "not connected", now);
        }
        else
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await mux.GetDatabase().PingAsync().WaitAsync(options.Value.RedisProbeTimeout, time, ct).ConfigureAwait(false);
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                metrics.RedisCommand("ping", seconds, ok: true);
                result = new RedisProbe(true, seconds * 1000, null, now);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                metrics.RedisCommand("ping", Stopwatch.GetElapsedTime(started).TotalSeconds, ok: false);
                result = new RedisProbe(mux.IsConnected, null, ex is TimeoutException ? "PING timed out" : ex.Message, now);
            }
        }
        var previous = Interlocked.Exchange(ref _redis, result);
        if (result.Error is not null && previous?.Error is null)
        {
            Log.RedisDown(logger, result.Error);
        }
        return result;
    }

    private bool Stale => _lastProbe == long.MinValue || time.GetElapsedTime(Interlocked.Read(ref _lastProbe)) >= options.Value.OriginProbeInterval;

    /// <summary>Starts a probe round (origins and Redis) when the last one is older than the interval; does not wait for it.</summary>
    public void RefreshIfStale()
    {
        if (!Stale)
        {
            return;
        }
        lock (_sync)
        {
            if (_inFlight is { IsCompleted: false })
            {
                return;
            }
        }
        _ = RefreshAsync();
    }

    private async Task RefreshAsync()
    {
        try
        {
            await ProbeOnceAsync().ConfigureAwait(false);
            using var cts = new CancellationTokenSource(options.Value.RedisProbeTimeout + TimeSpan.FromSeconds(1), time);
            await PingRedisAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the ping's own timeout already produced a result
        }
    }

    /// <summary>One round over all origins; concurrent callers share the round in flight.</summary>
    internal Task ProbeOnceAsync()
    {
        lock (_sync)
        {
            if (_inFlight is { IsCompleted: false })
            {
                return _inFlight;
            }
            _inFlight = ProbeAllAsync();
            return _inFlight;
        }
    }

    private async Task ProbeAllAsync()
    {
        var origins = Directory();
        var results = await Task.WhenAll(origins.Select(ProbeAsync)).ConfigureAwait(false);
        var previous = _origins;
        foreach (var r in results)
        {
            var before = previous.GetValueOrDefault(r.Name)?.Status;
            if (r.Status == OriginHealth.Down && before != OriginHealth.Down)
            {
                Log.OriginDown(logger, r.Name, r.Error ?? string.Empty);
            }
            else if (r.Status == OriginHealth.Up && before == OriginHealth.Down)
            {
                Log.OriginUp(logger, r.Name);
            }
        }
        _origins = results.ToFrozenDictionary(r => r.Name, StringComparer.OrdinalIgnoreCase);
        Interlocked.Exchange(ref _lastProbe, time.GetTimestamp());
    }

    private async Task<OriginHealth> ProbeAsync(OriginEndpoint origin)
    {
        var uri = ProbeUri(origin);
        var started = Stopwatch.GetTimestamp();
        using var cts = new CancellationTokenSource(options.Value.OriginProbeTimeout, time);
        string status;
        int? code = null;
        string? error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, uri) { Version = origin.Version, VersionPolicy = origin.VersionPolicy };
            using var response = await origin.Invoker.SendAsync(request, cts.Token).ConfigureAwait(false);
            code = (int)response.StatusCode;
            status = code < 500 ? OriginHealth.Up : OriginHealth.Down;
            error = code < 500 ? null : $"HTTP {code}";
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            status = OriginHealth.Down;
            error = $"no answer within {options.Value.OriginProbeTimeout.TotalSeconds:0.#} s";
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or ObjectDisposedException)
        {
            // ObjectDisposedException: the origin was reconfigured while probing; the next round uses the new handler
            status = OriginHealth.Down;
            error = ex.Message;
        }
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        (metrics as PrometheusGatewayMetrics)?.OriginProbed(origin.Name, status == OriginHealth.Up, seconds);
        return new OriginHealth(origin.Name, uri.AbsoluteUri, status, code, Math.Round(seconds * 1000, 2), error, time.GetUtcNow());
    }

    private IReadOnlyList<OriginEndpoint> Directory() => services.GetService<IOriginDirectory>()?.Origins ?? [];

    private Uri ProbeUri(OriginEndpoint origin)
    {
        var path = options.Value.OriginProbePath.TrimStart('/');
        var baseUri = origin.BaseUri.AbsoluteUri.EndsWith('/') ? origin.BaseUri : new Uri(origin.BaseUri.AbsoluteUri + "/");
        return path.Length == 0 ? origin.BaseUri : new Uri(baseUri, path);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, EventName = "OriginProbeDown", Level = LogLevel.Warning, Message = "Origin '{Origin}' failed its health probe: {Error}")]
        public static partial void OriginDown(ILogger logger, string origin, string error);

        [LoggerMessage(EventId = 5002, EventName = "OriginProbeUp", Level = LogLevel.Information, Message = "Origin '{Origin}' passes its health probe again.")]
        public static partial void OriginUp(ILogger logger, string origin);

        [LoggerMessage(EventId = 5003, EventName = "RedisPingFailed", Level = LogLevel.Warning, Message = "Redis health PING failed: {Error}")]
        public static partial void RedisDown(ILogger logger, string error);
    }
}
