using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Admin;

public sealed class AllowlistAdminTests
{
    private const string Token = "test-admin-token-0123456789";

    private static async Task<(TestOrigin, GatewayHost)> StartAsync(Dictionary<string, string?> settings)
    {
        var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", new byte[10]);
        settings["Gateway:Origins:news"] = origin.BaseUrl;
        return (origin, await GatewayHost.StartAsync(settings));
    }

    internal static Task<HttpResponseMessage> SendAsync(GatewayHost gw, HttpMethod method, string path, string? json = null, string? token = Token)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        return gw.Client.SendAsync(request);
    }

    private static async Task<string> TitleAsync(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("title").GetString() + " | " + doc.RootElement.GetProperty("detail").GetString();
    }

    [Fact]
    public async Task Admin_api_is_off_without_a_token()
    {
        var (origin, gw) = await StartAsync(new());
        await using var _o = origin;
        await using var _g = gw;
        using var response = await SendAsync(gw, HttpMethod.Get, "/admin/allowlist");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Wrong_or_missing_token_is_401()
    {
        var (origin, gw) = await StartAsync(new() { ["Gateway:Admin:Token"] = Token });
        await using var _o = origin;
        await using var _g = gw;
        using var none = await SendAsync(gw, HttpMethod.Get, "/admin/allowlist", token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        using var wrong = await SendAsync(gw, HttpMethod.Get, "/admin/allowlist", token: Token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var prefix = await SendAsync(gw, HttpMethod.Get, "/admin/allowlist", token: Token[..^1]);
        Assert.Equal(HttpStatusCode.Unauthorized, prefix.StatusCode);
    }

    [Theory]
    [InlineData("{\"cidr\":\"10.0.0.5/8\"}", "Invalid cidr | cidr: '10.0.0.5/8' has host bits set")]
    [InlineData("{\"cidr\":\"nope\"}", "Invalid cidr | cidr:")]
    [InlineData("{\"note\":\"x\"}", "Invalid cidr | cidr: required")]
    [InlineData("{\"cidr\":42}", "Invalid cidr")]
    [InlineData("{\"cidr\":\"10.0.0.0/8\",\"ttlSeconds\":-1}", "Invalid ttlSeconds | ttlSeconds:")]
    [InlineData("{\"cidr\":\"10.0.0.0/8\",\"ttlSeconds\":\"60\"}", "Invalid ttlSeconds")]
    [InlineData("{\"cidr\":\"10.0.0.0/8\",\"note\":5}", "Invalid note")]
    [InlineData("not json", "Invalid body")]
    [InlineData("[1,2]", "Invalid body")]
    public async Task Invalid_posts_are_400_naming_the_field(string body, string expected)
    {
        var (origin, gw) = await StartAsync(new() { ["Gateway:Admin:Token"] = Token });
        await using var _o = origin;
        await using var _g = gw;
        using var response = await SendAsync(gw, HttpMethod.Post, "/admin/allowlist", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(expected, await TitleAsync(response));
    }

    [Fact]
    public async Task Post_list_delete_in_memory_and_enforced()
    {
        var (origin, gw) = await StartAsync(new() { ["Gateway:Admin:Token"] = Token, ["Gateway:Access:Allow:0"] = "198.51.100.0/24" });
        await using var _o = origin;
        await using var _g = gw;
        Assert.Equal(HttpStatusCode.Forbidden, (await gw.Client.GetAsync("/hls/news/live/seg.ts")).StatusCode);

        using (var post = await SendAsync(gw, HttpMethod.Post, "/admin/allowlist", "{\"cidr\":\"127.0.0.1\",\"note\":\"test runner\"}"))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
            Assert.Contains("\"cidr\":\"127.0.0.1/32\"", await post.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await gw.Client.GetAsync("/hls/news/live/seg.ts")).StatusCode);

        using (var list = await SendAsync(gw, HttpMethod.Get, "/admin/allowlist"))
        {
            var text = await list.Content.ReadAsStringAsync();
            Assert.Contains("\"static\":[\"198.51.100.0/24\"]", text);
            Assert.Contains("\"note\":\"test runner\"", text);
        }

        using (var delete = await SendAsync(gw, HttpMethod.Delete, "/admin/allowlist?cidr=127.0.0.1/32"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await gw.Client.GetAsync("/hls/news/live/seg.ts")).StatusCode);
        using (var again = await SendAsync(gw, HttpMethod.Delete, "/admin/allowlist?cidr=127.0.0.1"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }
        using (var bad = await SendAsync(gw, HttpMethod.Delete, "/admin/allowlist?cidr=garbage"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.StartsWith("Invalid cidr | cidr:", await TitleAsync(bad));
        }
    }
}
