using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using HlsGateway.Recorder.Uploads;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Uploads;

/// <summary>
/// <c>POST /admin/recordings/uploads/pause</c> and <c>/resume</c> in the real gateway: a paused queue starts no part,
/// a running part stops at its next safe point (the directory target's 16 MiB hop) without spending an attempt, and
/// after resume it lands byte-identical.
/// </summary>
public sealed class UploadPauseTests : IDisposable
{
    private const string Token = "tok-pause";
    private readonly string _root = Directory.CreateTempSubdirectory("upl-pause-root-").FullName;
    private readonly string _target = Directory.CreateTempSubdirectory("upl-pause-target-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_target, recursive: true);
    }

    [Fact]
    public async Task Pause_and_resume_gate_the_safe_points()
    {
        using var bandwidth = new UploadBandwidth(0);
        Assert.True(bandwidth.WhenRunningAsync(CancellationToken.None).IsCompletedSuccessfully);
        Assert.True(bandwidth.Pause());
        Assert.False(bandwidth.Pause()); // already paused
        var gate = bandwidth.WhenRunningAsync(CancellationToken.None);
        Assert.False(gate.IsCompleted);
        Assert.True(bandwidth.Paused);
        Assert.True(bandwidth.Resume());
        await gate.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(bandwidth.Resume());
        Assert.False(bandwidth.Paused);
    }

    [Fact]
    public async Task A_paused_queue_holds_its_parts_and_resume_lands_them_byte_identical()
    {
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Admin:Token"] = Token,
            ["Recorder:OutputDirectory"] = _root,
            ["Recorder:Upload:Target"] = "directory",
            ["Recorder:Upload:Directory"] = _target,
            ["Recorder:Upload:MinFreeBytes"] = "0",
            ["Recorder:Upload:Concurrency"] = "1",
            // 8 MiB/s: a 48 MiB part takes ~6 s, so a pause lands in the middle of it
            ["Recorder:Upload:MaxBytesPerSecond"] = (8 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        gw.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var queue = gw.Services.GetRequiredService<UploadQueue>();

        // paused before anything is queued: the part waits
        await PostAsync(gw.Client, "/admin/recordings/uploads/pause", paused: true);
        Assert.True(await PausedAsync(gw.Client));
        var data = RandomNumberGenerator.GetBytes(48 * 1024 * 1024);
        Directory.CreateDirectory(Path.Combine(_root, "cam"));
        await File.WriteAllBytesAsync(Path.Combine(_root, "cam", "p001.mp4"), data);
        Assert.True(queue.Enqueue("cam", 1, "cam/p001.mp4"));
        await Task.Delay(1500);
        Assert.Equal(UploadState.Queued, queue.Snapshot().Single().State);
        Assert.Empty(Directory.EnumerateFiles(_target, "*", SearchOption.AllDirectories));

        // resumed, then paused mid-part: the copy stops at a hop boundary and stays there
        await PostAsync(gw.Client, "/admin/recordings/uploads/resume", paused: false);
        await Poll.UntilAsync(() => queue.Snapshot().Single().BytesSent > 0, TimeSpan.FromSeconds(60));
        await PostAsync(gw.Client, "/admin/recordings/uploads/pause", paused: true);
        var temp = Path.Combine(_target, "cam", "p001.mp4.uploading");
        // the hop in flight (≤ 16 MiB at 8 MiB/s, ~2 s; longer on a loaded machine) finishes at a boundary
        long held = -1;
        for (var i = 0; i < 60; i++)
        {
            var now = File.Exists(temp) ? new FileInfo(temp).Length : 0;
            if (now == held && now > 0 && now % (16 * 1024 * 1024) == 0)
            {
                break; // unchanged for a second at a hop boundary
            }
            held = now;
            await Task.Delay(1000);
        }
        await Task.Delay(1500);
        Assert.Equal(held, new FileInfo(temp).Length);
        Assert.True(held % (16 * 1024 * 1024) == 0 && held < data.Length, $"paused at {held} bytes, not at a 16 MiB hop boundary");
        var row = queue.Snapshot().Single();
        Assert.Equal(UploadState.Uploading, row.State);
        Assert.Equal(1, row.Attempts);

        await PostAsync(gw.Client, "/admin/recordings/uploads/resume", paused: false);
        await Poll.UntilAsync(() => queue.Snapshot().Single().State == UploadState.Done, TimeSpan.FromSeconds(60));
        Assert.Equal(1, queue.Snapshot().Single().Attempts); // the pause cost no attempt
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(_target, "cam", "p001.mp4")));
        Assert.False(await PausedAsync(gw.Client));

        using var anonymous = new HttpClient { BaseAddress = new Uri(gw.BaseUrl) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/admin/recordings/uploads/pause", null)).StatusCode);
        Assert.False(gw.Services.GetRequiredService<UploadBandwidth>().Paused);
    }

    private static async Task PostAsync(HttpClient client, string path, bool paused)
    {
        using var response = await client.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(paused, body.RootElement.GetProperty("paused").GetBoolean());
    }

    private static async Task<bool> PausedAsync(HttpClient client)
    {
        using var report = JsonDocument.Parse(await client.GetStringAsync("/admin/recordings/uploads"));
        return report.RootElement.GetProperty("paused").GetBoolean();
    }
}
