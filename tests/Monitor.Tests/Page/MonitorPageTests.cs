using System.Net;
using HlsGateway.Tests.Common;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Page;

/// <summary>The /monitor page in Debian's chromium (Playwright's own browser download is not used).</summary>
public sealed class MonitorPageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task MonitorPage_RendersChartsAndUpdatesUnderLoad_WithoutConsoleErrors()
    {
        await using var origin = await MonitorFixture.StartOriginAsync();
        await using var gateway = await GatewayHost.StartAsync(MonitorFixture.Settings(origin));

        // bounded background load: a few HttpClient loops until the checks are done (at most 120 s). A fixed
        // 20 s budget ran out on a slow CI machine before the "values move" check (chromium start-up took most of it).
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var load = Enumerable.Range(0, 3).Select(i => Task.Run(async () =>
        {
            long n = 0;
            using var client = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var path = (n++ % 5) == 0 ? "/hls/o1" + MonitorFixture.Playlist : $"/hls/o1/live/seg{n % 4}.ts";
                    using var r = await client.GetAsync(path, stop.Token);
                    await Task.Delay(5, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
            return n;
        })).ToArray();

        await using var chromium = await HeadlessChromium.OpenAsync();
        var page = chromium.Page;
        var errors = chromium.Errors;

        var response = await page.GotoAsync(gateway.BaseUrl + "/monitor?refresh=1");
        Assert.Equal((int)HttpStatusCode.OK, response!.Status);

        // first update, then charts: six uPlot canvases with a real size
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.updates || 0) >= 2", null, new() { Timeout = 15000 });
        var canvases = await page.Locator(".plot canvas").AllAsync();
        Assert.Equal(6, canvases.Count);
        foreach (var canvas in canvases)
        {
            var box = await canvas.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box!.Width > 100 && box.Height > 100, $"canvas {box.Width}x{box.Height}");
        }
        Assert.Equal("live", await page.Locator("#state").InnerTextAsync());

        // values move between refreshes while load runs
        var before = await page.Locator("#kpi-window").InnerTextAsync();
        var updates = int.Parse(await page.EvaluateAsync<string>("() => document.body.dataset.updates"));
        await page.WaitForFunctionAsync($"() => Number(document.body.dataset.updates) >= {updates + 2}", null, new() { Timeout = 15000 });
        var after = await page.Locator("#kpi-window").InnerTextAsync();
        Assert.NotEqual(before, after);
        Assert.True(long.Parse(after) > 0);
        Assert.NotEqual("–", await page.Locator("#kpi-rps").InnerTextAsync());
        Assert.Equal("up", await page.Locator("#origins td.status-up").First.InnerTextAsync());
        Assert.Contains("o1/live/index.m3u8", await page.Locator("#streams").InnerTextAsync());
        var points = await page.EvaluateAsync<int>("() => document.querySelectorAll('.plot canvas').length");
        Assert.Equal(6, points);

        var dir = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(dir);
        var shot = Path.Combine(dir, "monitor.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        output.WriteLine("screenshot: " + shot);
        Console.WriteLine("monitor page screenshot: " + shot);

        // dark scheme renders too
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await page.WaitForFunctionAsync($"() => Number(document.body.dataset.updates) >= {updates + 3}", null, new() { Timeout = 15000 });
        var darkShot = Path.Combine(dir, "monitor-dark.png");
        await page.ScreenshotAsync(new() { Path = darkShot, FullPage = true });
        output.WriteLine("screenshot: " + darkShot);

        await stop.CancelAsync();
        var sent = (await Task.WhenAll(load)).Sum();
        output.WriteLine($"background requests: {sent}");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
