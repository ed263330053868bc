using HlsGateway.Recorder.Uploads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder;

internal static class RecorderUploadsServiceCollectionExtensions
{
    public const string HttpClientName = "recorder-uploads";

    /// <summary>
    /// Uploads: <see cref="UploadOptions"/> bound from <c>Recorder:Upload</c> (<c>Recorder:DeleteAfterUpload</c> also
    /// switches deletion on) and validated at start, the target picked by <c>Recorder:Upload:Target</c>, and the
    /// <see cref="UploadQueue"/> hosted service (also the <see cref="IUploadStatusSource"/>).
    /// </summary>
    public static IServiceCollection AddRecorderUploads(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<UploadOptions>()
            .Bind(configuration.GetSection(UploadOptions.SectionName))
            .Configure(o => o.DeleteAfterUpload |= configuration.GetValue<bool>("Recorder:DeleteAfterUpload"))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UploadOptions>, UploadOptionsValidator>());
        services.AddHttpClient(HttpClientName, c => c.Timeout = TimeSpan.FromMinutes(5))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<UploadOptions>>().Value;
            // without the monitor (no request window) there is no load signal, so no busy cap
            return new UploadBandwidth(o.MaxBytesPerSecond, o.BusyMaxBytesPerSecond, sp.GetService<HlsGateway.Monitor.Stats.IServingLoad>(), o.BusyRequestsPerSecond);
        });
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<UploadOptions>>().Value;
            return new UploadThreads(o.Concurrency, o.CpuPriority, sp.GetRequiredService<ILogger<UploadThreads>>(), o.MinBytesPerSecond);
        });
        services.TryAddSingleton<IUploadTarget>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<UploadOptions>>().Value;
            var bandwidth = sp.GetRequiredService<UploadBandwidth>();
            var threads = sp.GetRequiredService<UploadThreads>();
            return o.Target switch
            {
                UploadTargetKind.Directory => new LocalDirectoryTarget(o.Directory!, o.MinFreeBytes, bandwidth, threads),
                UploadTargetKind.Tus => new TusUploadTarget(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), new Uri(o.TusUrl!), o.ChunkSize, bandwidth, threads),
                UploadTargetKind.S3 => new S3UploadTarget(o.S3, bandwidth, threads),
                _ => new DisabledUploadTarget(),
            };
        });
        services.TryAddSingleton<UploadQueue>();
        services.TryAddSingleton<IUploadStatusSource>(sp => sp.GetRequiredService<UploadQueue>());
        services.AddHostedService(sp => sp.GetRequiredService<UploadQueue>());
        return services;
    }
}
