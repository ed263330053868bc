using System.Collections.Frozen;
using HlsGateway.Configuration;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Monitor.Stats;

namespace HlsGateway.Proxy;

/// <summary>
/// The live set of origins. Rebuilt when <c>Gateway:Origins</c> reloads; origins whose URL and
/// settings are unchanged keep their pooled handler. A bad reload is logged and the last good
/// snapshot stays (as YARP's ConfigurationConfigProvider does).
/// </summary>
internal sealed partial class OriginRegistry : IDisposable
{
    public const string DemoName = "demo";

    private readonly ILogger<OriginRegistry> _logger;
    private readonly GatewayConfigMonitor _config;
    private readonly OriginFailoverHooks _hooks;
    private readonly Lock _sync = new();
    private FrozenDictionary<string, Origin> _origins = FrozenDictionary<string, Origin>.Empty;
    private Origin? _demo;
    private GatewayOptions _options;

    public OriginRegistry(GatewayConfigMonitor config, ILogger<OriginRegistry> logger, IGatewayMetrics? metrics = null, TimeProvider? time = null)
    {
        _logger = logger;
        _config = config;
        _hooks = new OriginFailoverHooks(time ?? TimeProvider.System, metrics ?? NullGatewayMetrics.Instance, logger);
        _options = config.Current;
        Rebuild(_options);
        config.Changed += OnChange;
    }

    /// <summary>True when the demo origin should be served (no origins configured, or <c>Gateway:Demo=true</c>).</summary>
    public bool DemoEnabled => _options.Origins.Count == 0 || _options.Demo;

    public IReadOnlyCollection<Origin> All => _origins.Values;

    public bool TryGet(ReadOnlySpan<char> name, out Origin origin)
    {
        var lookup = _origins.GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.TryGetValue(name, out origin!);
    }

    /// <summary>Called by the demo origin once its loopback listener is up.</summary>
    public void SetDemoOrigin(Uri baseUri)
    {
        lock (_sync)
        {
            _demo = OriginHandlerFactory.Create(DemoName, baseUri, new OriginSettings { Http2PriorKnowledge = true }, _options.Proxy, _hooks);
            Rebuild(_options);
        }
    }

    private void OnChange(GatewayOptions options)
    {
        try
        {
            lock (_sync)
            {
                _options = options;
                Rebuild(options);
            }
            Log.OriginsReloaded(_logger, _origins.Count);
        }
        catch (Exception ex)
        {
            // A handler that cannot be built (should not happen after validation): keep the last good snapshot.
            Log.ReloadFailed(_logger, ex);
        }
    }

    private void Rebuild(GatewayOptions options)
    {
        var old = _origins;
        var next = new Dictionary<string, Origin>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, url) in options.Origins)
        {
            var settings = options.OriginSettings.GetValueOrDefault(name) ?? new OriginSettings();
            var candidate = OriginHandlerFactory.Create(name, new Uri(url, UriKind.Absolute), settings, options.Proxy, _hooks);
            if (old.TryGetValue(name, out var existing) && existing.Fingerprint == candidate.Fingerprint)
            {
                candidate.Invoker.Dispose();
                next[name] = existing;
            }
            else
            {
                next[name] = candidate;
            }
        }
        if (_demo is not null && (options.Origins.Count == 0 || options.Demo) && !next.ContainsKey(DemoName))
        {
            next[DemoName] = _demo;
        }
        _origins = next.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

        foreach (var (name, origin) in old)
        {
            if (!next.TryGetValue(name, out var kept) || !ReferenceEquals(kept, origin))
            {
                // Let in-flight requests on the retired handler finish before disposing it.
                _ = Task.Delay(options.Proxy.RequestTimeout + TimeSpan.FromSeconds(5)).ContinueWith(
                    static (_, o) => ((HttpMessageInvoker)o!).Dispose(), origin.Invoker, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Every origin's URLs and which one is active (/stats, hlsgw_origin_active_url).</summary>
    public IReadOnlyList<OriginUrlsStatus> GetOriginUrls()
    {
        var origins = _origins.Values;
        var result = new OriginUrlsStatus[origins.Length];
        for (var i = 0; i < origins.Length; i++)
        {
            result[i] = origins[i].Failover.Status();
        }
        return result;
    }

    public void Dispose()
    {
        _config.Changed -= OnChange;
        foreach (var origin in _origins.Values)
        {
            origin.Invoker.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, EventName = "OriginsReloaded", Level = LogLevel.Information, Message = "Origins reloaded: {Count} origin(s) active.")]
        public static partial void OriginsReloaded(ILogger logger, int count);

        [LoggerMessage(EventId = 1002, EventName = "OriginReloadFailed", Level = LogLevel.Error, Message = "Origin configuration reload failed; keeping the last good configuration.")]
        public static partial void ReloadFailed(ILogger logger, Exception exception);
    }
}
