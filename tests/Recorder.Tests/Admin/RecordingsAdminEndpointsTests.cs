using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Admin;

/// <summary>The recorder inside the real gateway: admin API, config-defined recordings, fetching through the gateway's own address.</summary>
public sealed class RecordingsAdminEndpointsTests() : LiveOriginTest("rec-gw-")
{
    private Task<GatewayHost> StartGatewayAsync(Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:o1"] = Origin.Origin.BaseUrl,
            ["Recorder:OutputDirectory"] = OutputDirectory,
            ["Recorder:FfmpegDirectory"] = Path.GetDirectoryName(Tools.Ffmpeg),
        };
        foreach (var (k, v) in extra)
        {
            settings[k] = v;
        }
        return GatewayHost.StartAsync(settings);
    }

    [Fact]
    public async Task Without_a_token_the_admin_api_is_off()
    {
        await using var gw = await StartGatewayAsync([]);
        Assert.DoesNotContain(":8080", gw.BaseUrl); // port 0
        using var r = await gw.Client.GetAsync("/admin/recordings");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    [Fact]
    public async Task Start_list_stop_through_the_admin_api_with_a_bearer_token()
    {
        await using var gw = await StartGatewayAsync(new() { ["Gateway:Admin:Token"] = "tok-123" });
        using (var anonymous = await gw.Client.GetAsync("/admin/recordings"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        }
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/admin/recordings"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "tok-124");
            Assert.Equal(HttpStatusCode.Unauthorized, (await gw.Client.SendAsync(wrong)).StatusCode);
        }
        gw.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "tok-123");

        using (var bad = await gw.Client.PostAsJsonAsync("/admin/recordings", new { name = "x", url = "http://169.254.169.254/latest" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }
        using (var badName = await gw.Client.PostAsJsonAsync("/admin/recordings", new { name = "../x", url = "/hls/o1/live/index.m3u8" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        }
        using (var created = await gw.Client.PostAsJsonAsync("/admin/recordings", new { name = "news", url = "/hls/o1/live/index.m3u8" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        using (var again = await gw.Client.PostAsJsonAsync("/admin/recordings", new { name = "news", url = "/hls/o1/live/index.m3u8" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }
        var manager = gw.Services.GetRequiredService<RecordingManager>();
        await RecorderHost.WaitUntilAsync(() => manager.Get("news")?.LastMediaSequence == 3, TimeSpan.FromSeconds(20), "recorded through the gateway's own address");
        Origin.Append(4, 4);
        await RecorderHost.WaitUntilAsync(() => manager.Get("news")?.LastMediaSequence == 4, TimeSpan.FromSeconds(20), "seq 4");

        await RecorderHost.WaitUntilAsync(() => manager.Get("news")!.State == RecordingState.Recording, TimeSpan.FromSeconds(5), "recording state");
        using var list = JsonDocument.Parse(await gw.Client.GetStringAsync("/admin/recordings"));
        var item = list.RootElement.EnumerateArray().Single();
        Assert.Equal("news", item.GetProperty("name").GetString());
        Assert.Equal("recording", item.GetProperty("state").GetString());
        Assert.Equal(2, item.GetProperty("segments").GetInt64());
        Assert.True(item.GetProperty("bytes").GetInt64() > 0);
        Assert.Equal(0, item.GetProperty("gapCount").GetInt32());

        using (var split = await gw.Client.PostAsync("/admin/recordings/news/split", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, split.StatusCode);
        }
        using (var stopped = await gw.Client.DeleteAsync("/admin/recordings/news"))
        {
            Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
            using var body = JsonDocument.Parse(await stopped.Content.ReadAsStringAsync());
            Assert.Equal("stopped", body.RootElement.GetProperty("state").GetString());
        }
        using (var missing = await gw.Client.DeleteAsync("/admin/recordings/nope"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        Assert.Equal(1, Origin.Origin.Hits(Origin.SegmentPath(3)));
    }

    [Fact]
    public async Task Config_defined_recordings_start_with_the_gateway()
    {
        await using var gw = await StartGatewayAsync(new()
        {
            ["Recorder:Recordings:0:Name"] = "cfg",
            ["Recorder:Recordings:0:Url"] = "/hls/o1/live/index.m3u8",
        });
        var manager = gw.Services.GetRequiredService<RecordingManager>();
        await RecorderHost.WaitUntilAsync(() => manager.Get("cfg")?.LastMediaSequence == 3, TimeSpan.FromSeconds(20), "config recording");
        // the state flips right after the segment is written
        await RecorderHost.WaitUntilAsync(() => manager.Get("cfg")!.State == RecordingState.Recording, TimeSpan.FromSeconds(5), "recording state");
    }

    [Fact]
    public async Task Bad_recorder_configuration_stops_the_gateway_at_build_naming_the_key()
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            StartGatewayAsync(new() { ["Recorder:SplitSeconds"] = "-5" }));
        Assert.Contains("Recorder:SplitSeconds", string.Join("\n", ex.Failures));
    }
}
