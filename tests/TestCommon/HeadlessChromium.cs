using Microsoft.Playwright;

namespace HlsGateway.Tests.Common;

/// <summary>
/// Debian's chromium through Playwright (its own browser download is not reachable here), one page, and every
/// console error or warning, page error, failed request and HTTP status ≥ 400 collected in <see cref="Errors"/>.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.Console += (_, m) => { if (m.Type is "error" or "warning") { Errors.Add($"console {m.Type}: {m.Text}"); } };
        page.PageError += (_, e) => Errors.Add("page error: " + e);
        page.RequestFailed += (_, r) => Errors.Add($"request failed: {r.Url} {r.Failure}");
        page.Response += (_, r) => { if (r.Status >= 400) { Errors.Add($"HTTP {r.Status}: {r.Url}"); } };
    }

    public IPage Page { get; }

    public List<string> Errors { get; } = [];

    /// <param name="colorScheme">the page's preferred colour scheme (default: the browser's).</param>
    /// <param name="extraArgs">chromium switches on top of the headless set (e.g. an autoplay policy).</param>
    public static async Task<HeadlessChromium> OpenAsync(ColorScheme? colorScheme = null, params string[] extraArgs)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Tools.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", .. extraArgs],
        });
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 1000 }, ColorScheme = colorScheme });
        return new HeadlessChromium(playwright, browser, await context.NewPageAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
