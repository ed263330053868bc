using HlsGateway.Configuration;
using HlsGateway.Demo;
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
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: true);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // cleartext endpoints speak HTTP/1.1 and h2c (prior knowledge) on the same port
            k.ConfigureEndpointDefaults(l => l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2);
        });
        builder.Services.AddGateway(builder.Configuration);
        builder.Services.AddDemoOrigin();
        configure?.Invoke(builder);

        var app = builder.Build();
        // Fail fast: resolving the monitor binds and validates Gateway:* (every error, each naming its key).
        _ = app.Services.GetRequiredService<GatewayConfigMonitor>();
        _ = app.Services.GetRequiredService<IOptions<RecorderOptions>>().Value; // Recorder:* likewise

        // The order a request takes (ARCHITECTURE.md): ... -> cache -> forwarder -> origin.
        app.UseMiddleware<HlsProxyMiddleware>();
        app.MapRecordingsAdmin(app.Configuration["Gateway:Admin:Token"]);
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
