using System.Collections.Concurrent;
using System.Text.Json;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Dvr;

/// <summary>
/// The hls.js harness of the DVR browser tests: a test page (its own <c>start(url)</c> / <c>state()</c> script) served
/// under the gateway's origin in headless chromium with the vendored hls.js, every response recorded.
/// </summary>
internal sealed class DvrPlayerPage : IAsyncDisposable
{
    private readonly HeadlessChromium _chromium;

    private DvrPlayerPage(HeadlessChromium chromium)
    {
        _chromium = chromium;
        chromium.Page.Response += (_, r) => Responses.Enqueue((r.Status, r.Url));
    }

    public IPage Page => _chromium.Page;

    /// <summary>Whether this chromium plays H.264/AAC in MSE (else the tests check what hls.js loaded, not playback).</summary>
    public bool Codecs { get; private set; }

    public ConcurrentQueue<(int Status, string Url)> Responses { get; } = new();

    /// <summary>
    /// A gateway that records the VOD source <paramref name="source"/> of <paramref name="origin"/> as <c>news</c> into
    /// <paramref name="output"/> with the raw parts kept for DVR; returned once it has stopped and every part is remuxed.
    /// </summary>
    public static async Task<GatewayHost> StartRecordedAsync(string origin, string output, string source)
    {
        var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:o1"] = origin,
            ["Recorder:OutputDirectory"] = output,
            ["Recorder:FfmpegDirectory"] = Path.GetDirectoryName(Tools.Ffmpeg),
            ["Recorder:Dvr:RetentionWindow"] = "01:00:00",
            ["Recorder:Recordings:0:Name"] = "news",
            ["Recorder:Recordings:0:Url"] = "/hls/o1" + source,
        });
        var manager = gw.Services.GetRequiredService<RecordingManager>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(manager.Get("news") is { State: RecordingState.Stopped } s && s.Parts.Count > 0 && s.Parts.All(p => p.State == PartState.Remuxed)))
        {
            if (DateTime.UtcNow >= until)
            {
                await gw.DisposeAsync();
                Assert.Fail("the VOD source was not recorded and remuxed within 60 s");
            }
            await Task.Delay(100);
        }
        return gw;
    }

    public static async Task<DvrPlayerPage> OpenAsync(GatewayHost gw, string html, ITestOutputHelper output)
    {
        var chromium = await HeadlessChromium.OpenAsync(extraArgs: "--autoplay-policy=no-user-gesture-required");
        var page = chromium.Page;
        var pageUrl = gw.BaseUrl + "/dvr-test.html";
        await page.RouteAsync(pageUrl, route => route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = html }));
        var player = new DvrPlayerPage(chromium);
        await page.GotoAsync(pageUrl);
        await page.AddScriptTagAsync(new() { Content = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Player", "assets", "hls.min.js")) });
        player.Codecs = await page.EvaluateAsync<bool>("() => MediaSource.isTypeSupported('video/mp4; codecs=\"avc1.4d401e,mp4a.40.2\"')");
        output.WriteLine("H.264/AAC in MSE: " + player.Codecs);
        return player;
    }

    /// <summary>Calls <c>start(url)</c>, then polls <c>state()</c> until <paramref name="done"/>, a fatal error or the timeout; logs the last state and the responses.</summary>
    public async Task<JsonElement> PlayAsync(string url, Func<JsonElement, bool> done, TimeSpan timeout, ITestOutputHelper output)
    {
        await Page.EvaluateAsync("url => start(url)", url);
        JsonElement state = default;
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            state = await Page.EvaluateAsync<JsonElement>("() => state()");
            if (state.GetProperty("fatal").ValueKind != JsonValueKind.Null || done(state))
            {
                break;
            }
            await Task.Delay(250);
        }
        output.WriteLine("player state: " + state);
        foreach (var (status, u) in Responses)
        {
            output.WriteLine($"{status} {u}");
        }
        return state;
    }

    public ValueTask DisposeAsync() => _chromium.DisposeAsync();
}
