using HlsGateway.Access;
using HlsGateway.Caching;
using HlsGateway.Configuration;
using HlsGateway.Monitor.Health;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Monitor.Stats;
using HlsGateway.Playlists;
using HlsGateway.Proxy;
using HlsGateway.Recorder;
using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace HlsGateway;

internal static class GatewayServiceCollectionExtensions
{
    /// <summary>The gateway's services as small TryAdd steps, so tests and Redis can replace the defaults.</summary>
    public static IServiceCollection AddGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GatewayConfigMonitor>();
        services.TryAddSingleton<IGatewayMetrics>(NullGatewayMetrics.Instance);
        services.TryAddSingleton<OriginRegistry>();
        // health probes go to the URL fetches use now (the primary, or the backup it failed over to)
        services.TryAddSingleton<IOriginDirectory>(sp => new DelegateOriginDirectory(() => sp.GetRequiredService<OriginRegistry>().All
            .Select(static o =>
            {
                var u = o.Failover.Active;
                return new OriginEndpoint(o.Name, u.BaseUri, o.Invoker, u.Version, u.VersionPolicy);
            }).ToArray()));
        // replaces the monitor's empty default whichever of AddMonitor / AddGateway ran first; resolved lazily (the registry reports to the metrics)
        services.Replace(ServiceDescriptor.Singleton<IOriginUrlSource>(sp => new DelegateOriginUrlSource(() => sp.GetRequiredService<OriginRegistry>().GetOriginUrls())));
        services.TryAddSingleton<OriginFetcher>();
        services.TryAddSingleton<IPlaylistRewriter, PlaylistRewriter>();
        services.AddHttpForwarder();
        services.AddGatewayAccess(configuration);
        services.AddRecorder(configuration);

        var redis = configuration[$"{GatewayOptions.SectionName}:Redis"];
        if (!string.IsNullOrWhiteSpace(redis))
        {
            services.AddRedis(redis);
            services.TryAddSingleton<SharedCacheStore>();
            services.TryAddSingleton(sp => new HlsCache(
                sp.GetRequiredService<GatewayConfigMonitor>(), sp.GetRequiredService<OriginFetcher>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IGatewayMetrics>(), sp.GetRequiredService<ILogger<HlsCache>>(), sp.GetRequiredService<SharedCacheStore>()));
        }
        else
        {
            services.TryAddSingleton(sp => new HlsCache(
                sp.GetRequiredService<GatewayConfigMonitor>(), sp.GetRequiredService<OriginFetcher>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IGatewayMetrics>(), sp.GetRequiredService<ILogger<HlsCache>>()));
        }
        services.TryAddSingleton<CachePurger>();
        services.AddHostedService(sp => sp.GetRequiredService<CachePurger>()); // subscribes to the fleet's purge channel
        return services;
    }

    /// <summary>
    /// One multiplexer for the process: AbortOnConnectFail=false so start-up and requests never
    /// wait on a Redis outage, short timeouts, and a fast linear reconnect.
    /// </summary>
    private static void AddRedis(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = ConfigurationOptions.Parse(connectionString);
            options.AbortOnConnectFail = false;
            options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
            options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
            options.SyncTimeout = Math.Min(options.SyncTimeout, 1000);
            options.ReconnectRetryPolicy = new LinearRetry(1000);
            options.ClientName ??= "hls-gateway";
            var mux = ConnectionMultiplexer.Connect(options);
            var metrics = sp.GetRequiredService<IGatewayMetrics>();
            metrics.RedisConnected(mux.IsConnected);
            mux.ConnectionFailed += (_, _) => metrics.RedisConnected(mux.IsConnected);
            mux.ConnectionRestored += (_, _) => metrics.RedisConnected(mux.IsConnected);
            return mux;
        });
        services.AddStackExchangeRedisOutputCache(o =>
        {
            o.InstanceName = "hlsgw:";
        });
        services.AddOptions<RedisOutputCacheOptions>().Configure<IServiceProvider>((o, sp) =>
            o.ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()));
    }
}
