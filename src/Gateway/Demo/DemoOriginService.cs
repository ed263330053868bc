using System.Net;
using HlsGateway.Proxy;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace HlsGateway.Demo;

/// <summary>
/// When the demo is enabled (no origins configured, or <c>Gateway:Demo=true</c>), runs the
/// built-in demo origin: a separate small Kestrel app on 127.0.0.1 (ephemeral port, h2c) serving the looping live channel from samples/, and registers it as origin <c>demo</c>.
/// It is a real origin behind the gateway, so the demo exercises the same proxy and cache path as
/// any configured origin.
/// </summary>
internal sealed partial class DemoOriginService(
    OriginRegistry origins,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    ILogger<DemoOriginService> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Base URL of the running demo origin; null when not started.</summary>
    public Uri? BaseUri { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!origins.DemoEnabled)
        {
            return;
        }
        var directory = DemoSamples.Locate(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException($"Demo origin: samples/{DemoSamples.ManifestName} was not found in or above {AppContext.BaseDirectory}; the build copies samples/ next to the gateway.");
        var samples = await DemoSamples.LoadAsync(directory, cancellationToken).ConfigureAwait(false);
        var playlists = new DemoPlaylistGenerator(samples, time, DemoPlaylistGenerator.DefaultEpoch(samples, time.GetUtcNow()));
        var handler = new DemoOriginHandler(playlists, time);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = directory,
            EnvironmentName = Environments.Production,
        });
        // Nothing from the gateway's appsettings / environment / command line (URLs, Kestrel
        // endpoints) may leak into this listener.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new DemoLoggerProvider(loggerFactory));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, DemoHostLifetime>();
        // the host still copies ASPNETCORE_URLS into this server's addresses; dropped, so Kestrel does not warn
        // "Overriding address(es)" about the gateway's own URLs
        builder.Services.AddTransient<IStartupFilter, HlsGateway.Hosting.UrlsBoundInCode>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // h2c with prior knowledge (OriginRegistry.SetDemoOrigin asks for it). Not Http1AndHttp2:
            // without TLS, Kestrel cannot tell the two apart and silently falls back to HTTP/1.1 only.
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.Run(handler.InvokeAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
        origins.SetDemoOrigin(BaseUri);
        Log.Started(logger, BaseUri, samples.Renditions.Count, playlists.SegmentCount, playlists.Epoch);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is null)
        {
            return;
        }
        try
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is not null)
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9001, EventName = "DemoOriginStarted", Level = LogLevel.Information,
            Message = "Demo origin listening on {BaseUri}: {Renditions} rendition(s), {Segments}-segment loop, live epoch {Epoch:O}.")]
        public static partial void Started(ILogger logger, Uri baseUri, int renditions, int segments, DateTimeOffset epoch);
    }
}
