using HlsGateway.Monitor.Metrics;
using HlsGateway.Monitor.Stats;
using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Leases;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Monitoring;
using HlsGateway.Recorder.Remux;
using HlsGateway.Recorder.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HlsGateway.Recorder;

internal static class RecorderServiceCollectionExtensions
{
    /// <summary>
    /// The recorder as small TryAdd steps: options bound from <c>Recorder</c> and validated at start
    /// (every error, naming its key), the tee (<see cref="ISegmentTee"/>), event bus, webhooks,
    /// remux worker, leases (Redis when an <see cref="IConnectionMultiplexer"/> is registered, i.e. <c>Gateway:Redis</c>
    /// is set; else in-process), the monitor seams and the <see cref="RecordingManager"/> hosted service.
    /// </summary>
    public static IServiceCollection AddRecorder(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<RecorderOptions>().Bind(configuration.GetSection(RecorderOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RecorderOptions>, RecorderOptionsValidator>());

        services.TryAddSingleton<InternalClientCredential>();
        services.AddHttpClient(RecordingManager.HttpClientName, (sp, c) =>
            {
                c.Timeout = TimeSpan.FromSeconds(30);
                // lets the recorder's fetches through the gateway's own loopback address past player access checks
                c.DefaultRequestHeaders.TryAddWithoutValidation(InternalClientCredential.HeaderName, sp.GetRequiredService<InternalClientCredential>().Token);
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            });
        services.AddHttpClient(WebhookSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

        services.TryAddSingleton<IRecorderBaseAddress, ServerBaseAddress>();
        services.TryAddSingleton<IPartRemuxer, FfmpegRemuxer>();
        services.TryAddSingleton<RecorderEventBus>();
        services.TryAddSingleton<RecordingTee>();
        services.TryAddSingleton<ISegmentTee>(sp => sp.GetRequiredService<RecordingTee>());
        services.TryAddSingleton<PartFinisher>();
        services.TryAddSingleton<WebhookSender>();
        services.TryAddSingleton<RecorderInstance>();
        // resolved lazily: the gateway registers the multiplexer after this call
        services.TryAddSingleton<IRecordingLeaseStore>(sp => sp.GetService<IConnectionMultiplexer>() is { } redis
            ? new RedisLeaseStore(redis, sp.GetRequiredService<ILogger<RedisLeaseStore>>())
            : new InMemoryLeaseStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IRecorderMetrics>(NullRecorderMetrics.Instance); // AddMonitor (called first) registers the Prometheus one
        services.TryAddSingleton<RecordingManager>();
        // replaces the monitor's empty default whichever of AddMonitor / AddRecorder ran first
        services.Replace(ServiceDescriptor.Singleton<IRecorderStatusSource, RecorderStatusSource>());

        // order matters: the bus, tee and finisher run before recordings start; the manager stops first
        services.AddHostedService(sp => sp.GetRequiredService<RecorderEventBus>());
        services.AddHostedService(sp => sp.GetRequiredService<RecordingTee>());
        services.AddHostedService(sp => sp.GetRequiredService<PartFinisher>());
        services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        services.AddHostedService(sp => sp.GetRequiredService<RecordingManager>());
        services.TryAddSingleton<Dvr.DvrRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<Dvr.DvrRetention>());
        services.AddRecorderUploads(configuration);
        return services;
    }
}
