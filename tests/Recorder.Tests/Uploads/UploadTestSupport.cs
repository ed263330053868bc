using System.Collections.Concurrent;
using System.Security.Cryptography;
using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Uploads;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Uploads;

/// <summary>Builds upload queues over a temp output root with a real event bus, and records the bus's events.</summary>
internal sealed class UploadTestSupport : IAsyncDisposable
{
    private readonly List<UploadQueue> _queues = [];

    public UploadTestSupport()
    {
        Bus = new RecorderEventBus(NullLogger<RecorderEventBus>.Instance);
        Bus.Subscribe((e, _) =>
        {
            Events.Enqueue(e);
            return ValueTask.CompletedTask;
        });
        Bus.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("upl-root-").FullName;

    public string TargetDir { get; } = Directory.CreateTempSubdirectory("upl-target-").FullName;

    public RecorderEventBus Bus { get; }

    public ConcurrentQueue<RecorderEventArgs> Events { get; } = new();

    public static UploadOptions FastOptions(Action<UploadOptions>? change = null)
    {
        var o = new UploadOptions
        {
            Target = UploadTargetKind.Directory,
            Concurrency = 2,
            MaxAttempts = 3,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            ProgressInterval = TimeSpan.Zero,
            MinFreeBytes = 0,
        };
        change?.Invoke(o);
        return o;
    }

    public async Task<UploadQueue> StartQueueAsync(UploadOptions options, IUploadTarget target)
    {
        var queue = new UploadQueue(Options.Create(options), Options.Create(new RecorderOptions { OutputDirectory = Root + Path.DirectorySeparatorChar }), target, Bus, TimeProvider.System,
            NullLogger<UploadQueue>.Instance);
        _queues.Add(queue);
        await queue.StartAsync(CancellationToken.None);
        return queue;
    }

    /// <summary>A file of random bytes under the output root; returns (relative path, sha256 hex).</summary>
    public (string Relative, string Sha256) MakePart(string relative, int bytes)
    {
        var full = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var data = RandomNumberGenerator.GetBytes(bytes);
        File.WriteAllBytes(full, data);
        return (relative, Convert.ToHexStringLower(SHA256.HashData(data)));
    }

    public static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public static async Task<UploadStatus> WaitForAsync(UploadQueue queue, string path, Func<UploadStatus, bool> condition, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var s = queue.Snapshot().FirstOrDefault(x => x.Path == path);
            if (s is not null && condition(s))
            {
                return s;
            }
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"timed out waiting for {path}; last status: {s}");
            }
            await Task.Delay(20);
        }
    }

    public async Task StopQueueAsync(UploadQueue queue)
    {
        await queue.StopAsync(CancellationToken.None);
        queue.Dispose();
        _queues.Remove(queue);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var q in _queues.ToList())
        {
            await StopQueueAsync(q);
        }
        await Bus.StopAsync(CancellationToken.None);
        Bus.Dispose();
        foreach (var dir in new[] { Root, TargetDir })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
