using HlsGateway.Access;
using HlsGateway.Admin;
using HlsGateway.Configuration;
using HlsGateway.Demo;
using HlsGateway.Hosting;
using HlsGateway.Monitor;
using HlsGateway.Operations;
using HlsGateway.Proxy;
using HlsGateway.Recorder.Admin;
using HlsGateway.Recorder.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace HlsGateway;

/// <summary>Builds the gateway application. Program.cs and the functional tests both use it.</summary>
internal static class GatewayApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Endpoints: --urls / ASPNETCORE_URLS or Kestrel:Endpoints, HTTPS from Gateway:Tls (Hosting/ListenSetup.cs). Kestrel speaks h2c
            // (HTTP/2 prior knowledge) only on an Http2-only cleartext endpoint, so an h2c listener is
            // a second endpoint: Kestrel:Endpoints:H2c:Url + Protocols=Http2.
        });
        builder.AddServerHosting(); // Kestrel:Limits + Gateway:Hosting:ShutdownTimeout, validated now
        builder.Services.AddMonitor(builder.Configuration); // before AddGateway: its Prometheus metrics replace the no-op default
        builder.Services.AddGateway(builder.Configuration);
        builder.Services.AddDemoOrigin();
        builder.Services.AddAdminPolicy();
        builder.AddOperations(); // Gateway:AccessLog + Gateway:Tracing, validated now (docs/operations.md)
        configure?.Invoke(builder);

        var app = builder.Build();
        // Fail fast: resolving the monitor binds and validates Gateway:* (every error, each naming its key).
        _ = app.Services.GetRequiredService<GatewayConfigMonitor>();
        _ = app.Services.GetRequiredService<AccessConfigMonitor>();
        _ = app.Services.GetRequiredService<IOptions<RecorderOptions>>().Value; // Recorder:* likewise

        // The order a request takes (ARCHITECTURE.md): ForwardedHeaders (trusted proxies only) -> IP allowlist
        // -> signature check -> rate limiter -> cache -> forwarder -> origin. Request framing (smuggling) is checked first.
        app.UseAccessLog(); // when Gateway:AccessLog:Enabled: outermost, so refused requests get a line too
        app.UseMiddleware<RequestFramingGuard>(); // before anything routes or forwards
        app.UseTrustedForwardedHeaders(); // trusted proxies only (X-Forwarded-For, or RFC 7239 Forwarded)
        app.UseMonitor(); // in-flight requests per HTTP version, playlist viewers (after ForwardedHeaders: real client IPs)
        app.UseMiddleware<IpAllowlistMiddleware>();
        app.UseMiddleware<SignatureMiddleware>();
        if (app.Services.GetRequiredService<ClientRateLimiter>().Enabled)
        {
            app.UseMiddleware<RateLimitMiddleware>();
        }
        app.UseMiddleware<HlsProxyMiddleware>();
        // Routing only for what the proxy did not answer (admin, monitor): WebApplication would otherwise add
        // UseRouting at the very start, matching every media request against the endpoint table first.
        app.UseRouting();
        // called here, not left to WebApplication (which would put them first, in front of every media request)
        app.UseAuthentication();
        app.UseAuthorization();
        // one admin policy for every admin route (Admin/AdminPolicy.cs)
        app.MapMonitor().RequireMonitorAccess(); // /metrics, /health*, and /stats + /monitor under the policy
        app.MapAllowlistAdmin().RequireAdmin();
        app.MapRecordingsAdmin().RequireAdmin();
        app.MapCachePurge().RequireAdmin();
        HlsGateway.Dvr.DvrEndpoints.MapDvr(app); // /dvr/<recording>/index.m3u8: allowlist + signature checked above
        app.MapGet("/", () => Results.Redirect("/monitor"));
        return app;
    }

    /// <summary>The first address Kestrel listens on, for printing and for tests.</summary>
    public static string BaseAddress(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        // cleartext first when there is one (the printed links, the tests' client); else the HTTPS one
        return (addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.First()).Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }
}
