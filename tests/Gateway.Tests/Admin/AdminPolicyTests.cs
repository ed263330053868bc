using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using HlsGateway.Tests.Access;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.Configuration;

namespace HlsGateway.Tests.Admin;

/// <summary>
/// One admin policy (src/Gateway/Admin/AdminPolicy.cs) on every admin route and on the protected monitor routes:
/// the same token, the same answers, a reload effective everywhere at once, no token in query strings for admin routes.
/// </summary>
public sealed class AdminPolicyTests
{
    private const string TokenA = "first-admin-token-0123456789";
    private const string TokenB = "second-admin-token-9876543210";

    /// <summary>Read-only routes, one per admin surface (a state change is exercised by the query-string test).</summary>
    private static readonly string[] Routes = ["/admin/allowlist", "/admin/recordings", "/admin/recordings/uploads", "/stats", "/monitor"];

    private static async Task<(TestOrigin Origin, GatewayHost Gateway, MutableConfigurationSource Source, Dictionary<string, string?> Settings)> StartAsync(string? token)
    {
        var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", new byte[10]);
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Admin:Token"] = token,
            ["Monitor:RequireAdminToken"] = token is null ? "false" : "true",
        };
        var source = new MutableConfigurationSource(settings);
        var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>(), b => ((IConfigurationBuilder)b.Configuration).Add(source));
        return (origin, gw, source, settings);
    }

    private static async Task<HttpStatusCode> GetAsync(GatewayHost gw, string path, string? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        using var response = await gw.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task AssertEveryRouteAsync(GatewayHost gw, string? bearer, HttpStatusCode expected)
    {
        foreach (var route in Routes)
        {
            Assert.True(expected == await GetAsync(gw, route, bearer), $"{route} with {bearer ?? "no token"}: expected {(int)expected}");
        }
    }

    [Fact]
    public async Task Every_admin_route_answers_the_same_401_problem_without_the_token_and_200_with_it()
    {
        var (origin, gw, _, _) = await StartAsync(TokenA);
        await using var _o = origin;
        await using var _g = gw;

        await AssertEveryRouteAsync(gw, null, HttpStatusCode.Unauthorized);
        await AssertEveryRouteAsync(gw, TokenA + "x", HttpStatusCode.Unauthorized);
        await AssertEveryRouteAsync(gw, TokenA, HttpStatusCode.OK);

        using var refused = await gw.Client.GetAsync("/admin/recordings");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        using var doc = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(401, doc.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("no token sent", doc.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // each refusal is counted
        var metrics = await gw.Client.GetStringAsync("/metrics");
        var line = metrics.Split('\n').Single(l => l.StartsWith("hlsgw_denied_requests_total{reason=\"admin_token\"}", StringComparison.Ordinal));
        Assert.True(double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) >= 2 * Routes.Length + 1);
    }

    [Fact]
    public async Task A_reloaded_token_takes_effect_on_every_route_at_once_and_removing_it_closes_them()
    {
        var (origin, gw, source, settings) = await StartAsync(TokenA);
        await using var _o = origin;
        await using var _g = gw;
        await AssertEveryRouteAsync(gw, TokenA, HttpStatusCode.OK);

        settings["Gateway:Admin:Token"] = TokenB;
        source.Replace(settings);
        await AssertEveryRouteAsync(gw, TokenA, HttpStatusCode.Unauthorized);
        await AssertEveryRouteAsync(gw, TokenB, HttpStatusCode.OK);

        // token removed (monitor protection switched off with it, as the validator requires): the admin API is off
        // on every admin route together, the monitor open again
        settings.Remove("Gateway:Admin:Token");
        settings["Monitor:RequireAdminToken"] = "false";
        source.Replace(settings);
        foreach (var route in Routes.Where(r => r.StartsWith("/admin", StringComparison.Ordinal)))
        {
            Assert.Equal(HttpStatusCode.NotFound, await GetAsync(gw, route, TokenB));
        }
        Assert.Equal(HttpStatusCode.OK, await GetAsync(gw, "/stats", null));
    }

    [Fact]
    public async Task A_token_in_the_query_string_is_refused_on_admin_routes_and_accepted_only_by_the_read_only_monitor()
    {
        var (origin, gw, _, _) = await StartAsync(TokenA);
        await using var _o = origin;
        await using var _g = gw;

        using (var pause = await gw.Client.PostAsync($"/admin/recordings/uploads/pause?token={TokenA}", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, pause.StatusCode);
            Assert.Contains("query string", await pause.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(gw, $"/admin/allowlist?token={TokenA}", null));
        using (var status = new HttpRequestMessage(HttpMethod.Get, "/admin/recordings/uploads"))
        {
            status.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TokenA);
            using var response = await gw.Client.SendAsync(status);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.False(doc.RootElement.GetProperty("paused").GetBoolean()); // the refused pause changed nothing
        }

        // the bookmarkable monitor page: ?token= on GET, compared like the header (trimmed)
        Assert.Equal(HttpStatusCode.OK, await GetAsync(gw, $"/monitor?token={TokenA}", null));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(gw, $"/stats?token=%20{TokenA}%20", null));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(gw, $"/stats?token={TokenA}x", null));
    }

    [Fact]
    public async Task A_configured_token_with_surrounding_blanks_is_compared_trimmed_everywhere()
    {
        var (origin, gw, _, _) = await StartAsync($"  {TokenA}  ");
        await using var _o = origin;
        await using var _g = gw;
        await AssertEveryRouteAsync(gw, TokenA, HttpStatusCode.OK);
    }
}
