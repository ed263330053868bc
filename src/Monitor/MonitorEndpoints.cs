using System.Text.Json;
using HlsGateway.Monitor.Health;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Monitor.Page;
using HlsGateway.Monitor.Stats;
using HlsGateway.Monitor.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Prometheus;

namespace HlsGateway.Monitor;

/// <summary>The monitor's middleware and endpoints: /metrics, /health*, /stats, /monitor.</summary>
internal static class MonitorEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>First in the pipeline: in-flight requests per HTTP version and playlist viewers.</summary>
    public static IApplicationBuilder UseMonitor(this IApplicationBuilder app) => app.UseMiddleware<TrafficMiddleware>();

    /// <summary>Maps every monitor endpoint; returns the /stats + /monitor group for the host's access policy.</summary>
    public static IEndpointConventionBuilder MapMonitor(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        var gate = services.GetRequiredService<ReadinessGate>(); // now: its lifetime callbacks must be registered before start
        var registry = services.GetService<MetricsRegistry>();
        if (registry is not null)
        {
            PublishReadiness(registry, gate);
            // each scrape refreshes stale origin probes in the background, so hlsgw_origin_up stays current while Prometheus watches
            var prober = services.GetRequiredService<DependencyProber>();
            registry.Registry.AddBeforeCollectCallback(prober.RefreshIfStale);
            endpoints.MapMetrics("/metrics", registry.Registry);
        }

        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponseWriter.WriteAsync });
        // 503 (Unhealthy) comes only from the lifecycle check; while starting or draining it runs alone, so the answer is immediate
        var ready = new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag) && (c.Name == LifecycleHealthCheck.Name || gate.State == ReadinessState.Ready),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        };
        endpoints.MapHealthChecks("/health/ready", ready);
        endpoints.MapHealthChecks("/health", ready);

        var page = endpoints.MapGroup("");
        page.MapGet("/stats", StatsAsync);
        page.MapGet("/monitor", PageAsync);
        endpoints.MapGet("/monitor/{*asset}", AssetAsync); // static script and styles: no data in them
        return page;
    }

    /// <summary><c>hlsgw_readiness_state{state}</c>: 1 for the current state (starting, ready, draining), 0 for the others; sampled per scrape.</summary>
    private static void PublishReadiness(MetricsRegistry registry, ReadinessGate gate)
    {
        var gauge = registry.Factory.CreateGauge("hlsgw_readiness_state", "1 for the instance's readiness state (starting, ready, draining); /health/ready answers 503 unless ready.", "state");
        var states = new[] { ReadinessState.Starting, ReadinessState.Ready, ReadinessState.Draining };
        var children = states.Select(s => gauge.WithLabels(ReadinessGate.Name(s))).ToArray();
        registry.Registry.AddBeforeCollectCallback(() =>
        {
            var current = gate.State;
            for (var i = 0; i < states.Length; i++)
            {
                children[i].Set(states[i] == current ? 1 : 0);
            }
        });
    }

    private static Task StatsAsync(HttpContext context)
    {
        var services = context.RequestServices;
        services.GetRequiredService<DependencyProber>().RefreshIfStale();
        var snapshot = services.GetRequiredService<StatsService>().Snapshot();
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, snapshot, StatsJsonContext.Default.StatsSnapshot, context.RequestAborted);
    }

    private static Task PageAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var assets = services.GetRequiredService<EmbeddedAssets>();
        assets.TryGet("index.html", out var page);
        var refresh = services.GetRequiredService<IOptionsMonitor<MonitorOptions>>().CurrentValue.RefreshSeconds;
        // the configured refresh goes into the page; ?refresh= in the URL overrides it client-side
        var html = System.Text.Encoding.UTF8.GetString(page!.Body).Replace("{{REFRESH_SECONDS}}", refresh.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        context.Response.ContentType = page.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'";
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    private static Task AssetAsync(HttpContext context, string asset)
    {
        var assets = context.RequestServices.GetRequiredService<EmbeddedAssets>();
        if (asset == "index.html" || !assets.TryGet(asset, out var file))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        var headers = context.Response.Headers;
        headers.ETag = file.ETag;
        headers.CacheControl = "public, max-age=300";
        if (context.Request.Headers.IfNoneMatch == file.ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        context.Response.ContentType = file.ContentType;
        context.Response.ContentLength = file.Body.Length;
        return context.Response.Body.WriteAsync(file.Body, context.RequestAborted).AsTask();
    }
}
