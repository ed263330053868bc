using System.Diagnostics.Metrics;
using HlsGateway.Monitor.Traffic;
using Prometheus;

namespace HlsGateway.Monitor.Metrics;

/// <summary>
/// This host's Prometheus registry (not prometheus-net's static default: tests run several hosts
/// in one process, and the default registry's adapters would listen to every meter). Adds the
/// process / GC figures (DotNetStats) and, through the MeterAdapter, the .NET runtime meter
/// (<c>System.Runtime</c>: GC, thread pool, allocations) and Kestrel's connection meters of this host.
/// </summary>
internal sealed class MetricsRegistry : IDisposable
{
    public static readonly string[] AdaptedMeters = ["System.Runtime", KestrelConnectionListener.KestrelMeter];

    private readonly IDisposable _meterAdapter;

    public MetricsRegistry(IMeterFactory meterFactory)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        DotNetStats.Register(Registry);
        _meterAdapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Factory,
            InstrumentFilterPredicate = i => Array.IndexOf(AdaptedMeters, i.Meter.Name) >= 0 && (i.Meter.Scope is null || ReferenceEquals(i.Meter.Scope, meterFactory)),
        });
    }

    public CollectorRegistry Registry { get; }

    public MetricFactory Factory { get; }

    public void Dispose() => _meterAdapter.Dispose();
}
