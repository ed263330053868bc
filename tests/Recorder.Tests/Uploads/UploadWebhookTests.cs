using System.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Uploads;
using HlsGateway.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HlsGateway.Tests.Uploads;

/// <summary>upload.* events reach the webhooks like every recorder event: a real receiver on Kestrel, signed bodies.</summary>
public sealed class UploadWebhookTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _out = Directory.CreateTempSubdirectory("upl-hook-out-").FullName;
    private readonly string _target = Directory.CreateTempSubdirectory("upl-hook-target-").FullName;
    private readonly ConcurrentQueue<(string Signature, string Timestamp, byte[] Body)> _received = new();
    private WebApplication _receiver = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear(); // not the gateway's appsettings.json copied next to the tests
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _receiver = builder.Build();
        _receiver.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms);
            _received.Enqueue((ctx.Request.Headers[WebhookSender.SignatureHeader].ToString(), ctx.Request.Headers[WebhookSender.TimestampHeader].ToString(), ms.ToArray()));
            return Results.Ok();
        });
        await _receiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        Directory.Delete(_out, recursive: true);
        Directory.Delete(_target, recursive: true);
    }

    private List<(string Type, string Path, JsonElement Data)> Hooks() => _received
        .Select(r => JsonDocument.Parse(r.Body).RootElement)
        .Where(e => e.GetProperty("type").GetString()!.StartsWith("upload.", StringComparison.Ordinal))
        .Select(e => (e.GetProperty("type").GetString()!, e.GetProperty("data").GetProperty("path").GetString()!, e.GetProperty("data")))
        .ToList();

    [Fact]
    public async Task Upload_start_progress_end_and_error_are_posted_signed_and_progress_is_throttled()
    {
        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?>
        {
            ["Recorder:Webhooks:Urls:0"] = _receiver.Urls.First() + "/hook",
            ["Recorder:Webhooks:Secret"] = "hook-secret",
            ["Recorder:Webhooks:RetryDelay"] = "00:00:00.100",
            ["Recorder:Upload:Target"] = "directory",
            ["Recorder:Upload:Directory"] = _target,
            ["Recorder:Upload:MinFreeBytes"] = "0",
            ["Recorder:Upload:Concurrency"] = "1",
            ["Recorder:Upload:MaxAttempts"] = "2",
            ["Recorder:Upload:RetryDelay"] = "00:00:00.050",
            ["Recorder:Upload:MaxRetryDelay"] = "00:00:00.100",
            // at most one upload.progress per part and attempt in this test, though the copy reports every MiB
            ["Recorder:Upload:ProgressInterval"] = "01:00:00",
        });
        Directory.CreateDirectory(Path.Combine(_out, "cam"));
        Directory.CreateDirectory(Path.Combine(_out, "cam2"));
        await File.WriteAllBytesAsync(Path.Combine(_out, "cam", "a.bin"), RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 3));
        await File.WriteAllBytesAsync(Path.Combine(_out, "cam2", "b.bin"), RandomNumberGenerator.GetBytes(1000));
        await File.WriteAllTextAsync(Path.Combine(_target, "cam2"), "a file where part b's target directory should be");
        var queue = host.Services.GetRequiredService<UploadQueue>();
        Assert.True(queue.Enqueue("cam", 1, "cam/a.bin"));
        Assert.True(queue.Enqueue("cam2", 1, "cam2/b.bin"));

        await RecorderHost.WaitUntilAsync(() => Hooks().Any(h => h.Type == "upload.end" && h.Path == "cam/a.bin")
            && Hooks().Any(h => h.Type == "upload.error" && h.Path == "cam2/b.bin" && h.Data.GetProperty("final").GetBoolean()), Wait, "upload.end and final upload.error webhooks");

        // every body is signed like the other recorder events
        foreach (var (signature, timestamp, body) in _received)
        {
            Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("hook-secret"u8, [.. Encoding.ASCII.GetBytes(timestamp + "."), .. body])), signature);
        }
        var hooks = Hooks();
        var a = hooks.Where(h => h.Path == "cam/a.bin").ToList();
        Assert.Equal(["upload.start", "upload.progress", "upload.end"], a.Select(h => h.Type));
        Assert.Equal("directory", a[0].Data.GetProperty("target").GetString());
        Assert.Equal(5 * 1024 * 1024 + 3, a[0].Data.GetProperty("bytes").GetInt64());
        Assert.Equal(1, a[0].Data.GetProperty("attempt").GetInt32());
        Assert.Equal(5 * 1024 * 1024 + 3, a[1].Data.GetProperty("bytes").GetInt64());
        Assert.True(a[1].Data.TryGetProperty("bytesSent", out _));
        Assert.Equal(UploadTestSupport.Sha256Of(Path.Combine(_out, "cam", "a.bin")), a[2].Data.GetProperty("sha256").GetString());
        Assert.Equal("cam", a[2].Data.GetProperty("recording").GetString());

        // the failing part: two attempts, the first error is retried, the second is final (with the reason)
        var b = hooks.Where(h => h.Path == "cam2/b.bin").ToList();
        Assert.Equal(2, b.Count(h => h.Type == "upload.start"));
        var errors = b.Where(h => h.Type == "upload.error").ToList();
        Assert.Equal([false, true], errors.Select(e => e.Data.GetProperty("final").GetBoolean()));
        Assert.All(errors, e => Assert.False(string.IsNullOrEmpty(e.Data.GetProperty("message").GetString())));
        Assert.DoesNotContain(b, h => h.Type == "upload.end");

        // the throttle is the queue's: the in-process bus saw the same single progress event for part a
        Assert.Single(host.Events.OfType<UploadProgressEventArgs>(), e => e.Path == "cam/a.bin");
    }
}
