using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;

namespace HlsGateway.Monitor.Traffic;

/// <summary>
/// Follows Kestrel's <c>kestrel.active_connections</c> up-down counter for this host's meter
/// factory only (tests run several hosts in one process), feeding /stats and the connections gauge.
/// </summary>
internal sealed class KestrelConnectionListener(TrafficCounters counters, IMeterFactory meterFactory) : IHostedService, IDisposable
{
    public const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";
    private MeterListener? _listener;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == KestrelMeter && instrument.Name == "kestrel.active_connections" && IsOurs(instrument.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => counters.ConnectionsChanged(value));
        listener.Start();
        _listener = listener;
        return Task.CompletedTask;
    }

    private bool IsOurs(Meter meter) => meter.Scope is null || ReferenceEquals(meter.Scope, meterFactory);

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _listener = null;
    }
}
