using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace HlsGateway.Hosting;

/// <summary>Kestrel limits and graceful shutdown for the gateway process.</summary>
internal static class ServerHostingExtensions
{
    /// <summary>
    /// Binds and validates <c>Kestrel:Limits</c> and <c>Gateway:Hosting</c> now (a bad value stops
    /// start-up with every error, each naming its key; an unknown key under them is an error too, so a
    /// typo is not silently ignored), then applies them to Kestrel, the host's shutdown timeout and the
    /// drain window before it.
    /// </summary>
    public static WebApplicationBuilder AddServerHosting(this WebApplicationBuilder builder)
    {
        var (limits, hosting) = Bind(builder.Configuration);
        AddListeners(builder);
        builder.WebHost.ConfigureKestrel(k => Apply(limits, k.Limits));
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = hosting.InlineIoScheduling);
        // before the first socket of the process (Kestrel binds later); reported at start by SocketCompletionsReport
        var inEffect = SocketCompletions.Apply(hosting.InlineSocketCompletions);
        builder.Services.AddHostedService(sp => new SocketCompletionsReport(hosting.InlineSocketCompletions, inEffect,
            sp.GetRequiredService<ILogger<SocketCompletionsReport>>()));
        builder.Services.AddHostedService<ThreadPoolReport>(); // hill climbing off by default (Gateway.csproj)
        if (hosting.IoBlockSize > 0)
        {
            // registered after UseKestrel's own factory, so the socket transport's pools come from here
            var pools = new IoBlockPoolFactory(hosting.IoBlockSize);
            builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>>(pools);
            builder.Services.AddSingleton<HlsGateway.Monitor.Metrics.IIoBufferSource>(pools); // hlsgw_io_buffer_bytes
        }
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = hosting.ShutdownTimeout);
        // SIGTERM: readiness 503 at once, then DrainDelay of normal serving before Kestrel stops (ShutdownDrain.cs)
        builder.Services.AddSingleton(hosting);
        builder.Services.AddHostedService<ShutdownDrain>();
        return builder;
    }

    /// <summary>
    /// Where to listen (<see cref="ListenSetup"/>) and the HTTPS certificate (<c>Gateway:Tls</c>), loaded now: a missing
    /// file, a key that does not match, an expired certificate stop start-up naming the key and the file.
    /// </summary>
    private static void AddListeners(WebApplicationBuilder builder)
    {
        var errors = new List<string>();
        var tls = BindSection<TlsOptions>(builder.Configuration, TlsOptions.SectionName, errors);
        TlsCertificateStore? store = null;
        if (errors.Count == 0 && tls.Enabled)
        {
            if (tls.ReloadCheckInterval < TimeSpan.FromMilliseconds(100) || tls.ReloadCheckInterval > TimeSpan.FromHours(1))
            {
                errors.Add($"{TlsOptions.SectionName}:ReloadCheckInterval: must be between 00:00:00.1 and 01:00:00 (was {tls.ReloadCheckInterval}).");
            }
            store = TlsCertificateStore.Create(tls, TimeProvider.System, errors);
        }
        ListenSetup.Configure(builder, tls, store, errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(TlsOptions.SectionName, typeof(TlsOptions), errors);
        }
        if (store is not null)
        {
            builder.Services.AddSingleton(store);
            builder.Services.AddHostedService<TlsCertificateReloader>();
        }
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every error.</summary>
    public static (KestrelLimitsOptions Limits, HostingOptions Hosting) Bind(IConfiguration configuration)
    {
        var errors = new List<string>();
        var limits = BindSection<KestrelLimitsOptions>(configuration, KestrelLimitsOptions.SectionName, errors);
        var hosting = BindSection<HostingOptions>(configuration, HostingOptions.SectionName, errors);
        errors.AddRange(ServerHostingValidator.Validate(limits, hosting));
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(KestrelLimitsOptions.SectionName, typeof(KestrelLimitsOptions), errors);
        }
        return (limits, hosting);
    }

    private static T BindSection<T>(IConfiguration configuration, string sectionName, List<string> errors)
        where T : new()
    {
        var section = configuration.GetSection(sectionName);
        var options = new T();
        try
        {
            // binder messages name the key ("Failed to convert configuration value at 'Kestrel:Limits:...'")
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{sectionName}: {ex.Message}");
            return options;
        }
        try
        {
            // a second pass only to report unknown keys (typos), which a plain bind silently ignores
            section.Bind(new T(), o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{sectionName}: {ex.Message}");
        }
        return options;
    }

    public static void Apply(KestrelLimitsOptions o, KestrelServerLimits limits)
    {
        limits.MaxConcurrentConnections = o.MaxConcurrentConnections == 0 ? null : o.MaxConcurrentConnections;
        limits.MaxRequestBodySize = o.MaxRequestBodySize;
        limits.MaxResponseBufferSize = o.MaxResponseBufferSize == 0 ? null : o.MaxResponseBufferSize;
        limits.MaxRequestHeadersTotalSize = o.MaxRequestHeadersTotalSize;
        limits.MaxRequestHeaderCount = o.MaxRequestHeaderCount;
        limits.MaxRequestLineSize = o.MaxRequestLineSize;
        limits.KeepAliveTimeout = o.KeepAliveTimeout;
        limits.RequestHeadersTimeout = o.RequestHeadersTimeout;
        limits.MinRequestBodyDataRate = Rate(o.MinRequestBodyDataRate);
        limits.MinResponseDataRate = Rate(o.MinResponseDataRate);

        var h2 = limits.Http2;
        h2.MaxStreamsPerConnection = o.Http2.MaxStreamsPerConnection;
        h2.InitialConnectionWindowSize = o.Http2.InitialConnectionWindowSize;
        h2.InitialStreamWindowSize = o.Http2.InitialStreamWindowSize;
        h2.HeaderTableSize = o.Http2.HeaderTableSize;
        h2.MaxFrameSize = o.Http2.MaxFrameSize;
        h2.MaxRequestHeaderFieldSize = o.Http2.MaxRequestHeaderFieldSize;
        h2.KeepAlivePingDelay = o.Http2.KeepAlivePingDelay;
        h2.KeepAlivePingTimeout = o.Http2.KeepAlivePingTimeout;
    }

    private static MinDataRate? Rate(KestrelLimitsOptions.DataRate rate) =>
        rate.BytesPerSecond > 0 ? new MinDataRate(rate.BytesPerSecond, rate.GracePeriod) : null;
}
