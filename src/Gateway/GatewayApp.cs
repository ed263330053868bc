using HlsGateway.Configuration;
using HlsGateway.Demo;
using HlsGateway.Hosting;
using HlsGateway.Proxy;
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
            // Endpoints come from the Kestrel:Endpoints section (appsettings.json). Kestrel speaks h2c
            // (HTTP/2 prior knowledge) only on an Http2-only cleartext endpoint, so an h2c listener is
            // a second endpoint: Kestrel:Endpoints:H2c:Url + Protocols=Http2.
        });
        builder.AddServerHosting(); // Kestrel:Limits + Gateway:Hosting:ShutdownTimeout, validated now
        builder.Services.AddGateway(builder.Configuration);
        builder.Services.AddDemoOrigin();
        configure?.Invoke(builder);

        var app = builder.Build();
        // Fail fast: resolving the monitor binds and validates Gateway:* (every error, each naming its key).
        _ = app.Services.GetRequiredService<GatewayConfigMonitor>();

        // The order a request takes (ARCHITECTURE.md): ... -> cache -> forwarder -> origin.
        app.UseMiddleware<RequestFramingGuard>(); // request smuggling: before anything routes or forwards
        app.UseMiddleware<HlsProxyMiddleware>();
        app.MapGet("/", () => Results.Redirect("/monitor"));
        return app;
    }

    /// <summary>The first address Kestrel listens on, for printing and for tests.</summary>
    public static string BaseAddress(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return addresses.First().Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }
}
