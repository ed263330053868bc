using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HlsGateway.Tests.Common;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Page;

/// <summary>
/// The /monitor uploads table in Debian's chromium, fed by a real recording (started and stopped through the admin
/// API) whose part cannot reach the directory target (a regular file where the target's parent should be).
/// </summary>
public sealed class MonitorUploadsTableTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("mon-upl-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task MonitorPage_ShowsUploadRowsWithStateProgressAndError_InLightAndDark_WithoutConsoleErrors()
    {
        var blocker = Path.Combine(_scratch, "blocked");
        await File.WriteAllTextAsync(blocker, "a file where the upload directory's parent should be");
        await using var origin = await MonitorFixture.StartOriginAsync();
        await using var gateway = await GatewayHost.StartAsync(MonitorFixture.Settings(origin,
            ("Gateway:Admin:Token", "tok-mon"),
            ("Recorder:OutputDirectory", Path.Combine(_scratch, "out")),
            ("Recorder:FfmpegDirectory", Path.GetDirectoryName(Tools.Ffmpeg)),
            ("Recorder:Remux", "none"),
            ("Recorder:Upload:Target", "directory"),
            ("Recorder:Upload:Directory", Path.Combine(blocker, "target")),
            ("Recorder:Upload:MinFreeBytes", "0"),
            ("Recorder:Upload:MaxAttempts", "3"),
            ("Recorder:Upload:RetryDelay", "00:00:01"),
            ("Recorder:Upload:MaxRetryDelay", "00:00:01")));
        using var admin = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "tok-mon");
        using (var created = await admin.PostAsJsonAsync("/admin/recordings", new { name = "news", url = "/hls/o1" + MonitorFixture.Playlist }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            using var status = JsonDocument.Parse(await admin.GetStringAsync("/admin/recordings/news"));
            if (status.RootElement.GetProperty("segments").GetInt64() > 0)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < until, "the recording wrote no segment: " + status.RootElement);
            await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync("/admin/recordings/news")).StatusCode);

        await using var chromium = await HeadlessChromium.OpenAsync(ColorScheme.Light);
        var page = chromium.Page;
        var errors = chromium.Errors;

        var response = await page.GotoAsync(gateway.BaseUrl + "/monitor?refresh=0.5");
        Assert.Equal((int)HttpStatusCode.OK, response!.Status);

        // while retries run the part is listed as waiting or uploading, with the last error; the recording reads uploading
        await page.WaitForFunctionAsync("() => document.querySelector('#uploads tr[data-state]') !== null", null, new() { Timeout = 15000 });
        var row = page.Locator("#uploads tr[data-state]").First;
        var cells = await row.Locator("td").AllInnerTextsAsync();
        Assert.Equal(8, cells.Count);
        Assert.Equal("news", cells[0]);
        Assert.Equal("1", cells[1]);
        Assert.Contains(cells[2], new[] { "queued", "uploading", "failed" });
        Assert.Matches(@"^\d+(\.\d)? %$", cells[3]);
        Assert.True(int.TryParse(cells[6], out _), "attempts: " + cells[6]);

        // after the last attempt: failed, with its reason, in red
        await page.WaitForFunctionAsync("() => document.querySelector('#uploads tr[data-state=failed]') !== null", null, new() { Timeout = 20000 });
        var failed = page.Locator("#uploads tr[data-state=failed]");
        Assert.Equal(1, await failed.CountAsync());
        cells = await failed.Locator("td").AllInnerTextsAsync();
        Assert.Equal("failed", cells[2]);
        Assert.Equal("0.0 %", cells[3]);
        Assert.Equal("3", cells[6]);
        Assert.False(string.IsNullOrWhiteSpace(cells[7]), "the failure reason is shown");
        // one JS evaluation finds the cell and reads its style: the table re-renders every 0.5 s, and a cell found
        // by a locator first can be detached (computed style "") by the time its style is read
        Assert.Equal("rgb(207, 34, 46)", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('#uploads tr[data-state=failed] td.upload-failed')).color"));
        await page.WaitForFunctionAsync("() => document.querySelector('#recordings td:nth-child(2)')?.textContent === 'stopped'", null, new() { Timeout = 10000 });

        var dir = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "monitor-uploads.png"), FullPage = true });

        // dark scheme: the same table, dark palette
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        var updates = int.Parse(await page.EvaluateAsync<string>("() => document.body.dataset.updates"));
        await page.WaitForFunctionAsync($"() => Number(document.body.dataset.updates) >= {updates + 2}", null, new() { Timeout = 15000 });
        Assert.Equal("rgb(248, 81, 73)", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('#uploads td.upload-failed')).color"));
        Assert.Equal("rgb(22, 27, 34)", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('#uploads').closest('.card')).backgroundColor"));
        var darkShot = Path.Combine(dir, "monitor-uploads-dark.png");
        await page.ScreenshotAsync(new() { Path = darkShot, FullPage = true });
        output.WriteLine("screenshot: " + darkShot);

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
