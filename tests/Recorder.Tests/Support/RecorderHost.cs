using System.Collections.Concurrent;
using HlsGateway.Recorder;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HlsGateway.Tests.Support;

/// <summary>The recorder's services (AddRecorder) in a real generic host, with every event captured.</summary>
internal sealed class RecorderHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly IDisposable _subscription;

    private RecorderHost(IHost host)
    {
        _host = host;
        _subscription = Bus.Subscribe((e, _) =>
        {
            Events.Enqueue(e);
            return ValueTask.CompletedTask;
        });
    }

    public ConcurrentQueue<RecorderEventArgs> Events { get; } = new();

    public IServiceProvider Services => _host.Services;

    public RecordingManager Manager => Services.GetRequiredService<RecordingManager>();

    public RecorderEventBus Bus => Services.GetRequiredService<RecorderEventBus>();

    public static async Task<RecorderHost> StartAsync(string outputDirectory, IDictionary<string, string?> settings, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear(); // only the settings the test gives
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
        }
        var all = new Dictionary<string, string?>(settings)
        {
            ["Recorder:OutputDirectory"] = outputDirectory,
            ["Recorder:FfmpegDirectory"] = Path.GetDirectoryName(Tools.Ffmpeg),
            ["Recorder:RetryDelay"] = "00:00:00.250",
        };
        builder.Configuration.AddInMemoryCollection(all);
        builder.Services.AddRecorder(builder.Configuration);
        var host = builder.Build();
        var recorderHost = new RecorderHost(host);
        await host.StartAsync();
        return recorderHost;
    }

    public async Task<T> WaitForEventAsync<T>(Func<T, bool> predicate, TimeSpan timeout) where T : RecorderEventArgs
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (Events.OfType<T>().FirstOrDefault(predicate) is { } found)
            {
                return found;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"no {typeof(T).Name} within {timeout}; events: {string.Join(", ", Events.Select(e => e.Type))}");
    }

    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what) => Poll.UntilAsync(condition, timeout, what);

    public static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) => Poll.UntilAsync(condition, timeout, what);

    /// <summary>Host shutdown without graceful stop of recordings: what kill -9 leaves on disk.</summary>
    public async Task CrashAsync()
    {
        await Manager.AbandonAllAsync();
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await _host.StopAsync();
        _host.Dispose();
    }
}
