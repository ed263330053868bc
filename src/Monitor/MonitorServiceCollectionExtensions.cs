using HlsGateway.Monitor.Health;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Monitor.Page;
using HlsGateway.Monitor.Stats;
using HlsGateway.Monitor.Traffic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HlsGateway.Monitor;

internal static class MonitorServiceCollectionExtensions
{
    /// <summary>
    /// Metrics, health checks, /stats and the monitor page. Call before <c>AddGateway</c>: the
    /// Prometheus metrics replace the gateway's no-op default, which it adds with TryAdd.
    /// </summary>
    public static IServiceCollection AddMonitor(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MonitorOptions>().Bind(configuration.GetSection(MonitorOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MonitorOptions>, MonitorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics(); // IMeterFactory (Kestrel's meters are scoped to it)

        services.TryAddSingleton<RequestWindow>();
        services.TryAddSingleton<IServingLoad>(sp => sp.GetRequiredService<RequestWindow>());
        services.TryAddSingleton<TrafficCounters>();
        services.TryAddSingleton<ViewerTracker>();
        services.AddHostedService<KestrelConnectionListener>();

        var metricsEnabled = configuration.GetValue($"{MonitorOptions.SectionName}:{nameof(MonitorOptions.MetricsEnabled)}", true);
        if (metricsEnabled)
        {
            services.TryAddSingleton<MetricsRegistry>();
            services.TryAddSingleton<PrometheusGatewayMetrics>();
            services.TryAddSingleton<IGatewayMetrics>(sp => sp.GetRequiredService<PrometheusGatewayMetrics>());
            services.TryAddSingleton<IRecorderMetrics>(sp => sp.GetRequiredService<PrometheusGatewayMetrics>());
        }
        else
        {
            services.TryAddSingleton<IGatewayMetrics>(NullGatewayMetrics.Instance);
            services.TryAddSingleton<IRecorderMetrics>(NullRecorderMetrics.Instance);
        }

        services.TryAddSingleton<DependencyProber>();
        services.TryAddSingleton<ReadinessGate>();
        var checks = services.AddHealthChecks()
            .AddCheck<LifecycleHealthCheck>(LifecycleHealthCheck.Name, tags: [MonitorEndpoints.ReadyTag])
            .AddCheck<OriginsHealthCheck>("origins", tags: [MonitorEndpoints.ReadyTag]);
        if (!string.IsNullOrWhiteSpace(configuration["Gateway:Redis"]))
        {
            checks.AddCheck<RedisHealthCheck>("redis", tags: [MonitorEndpoints.ReadyTag]);
        }

        services.TryAddSingleton<IRecorderStatusSource, NoRecorderStatusSource>();
        services.TryAddSingleton<IOriginUrlSource, NoOriginUrlSource>(); // the gateway replaces it with its origin registry
        services.TryAddSingleton<StatsService>();
        services.TryAddSingleton<EmbeddedAssets>();
        return services;
    }
}
