using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Hosting;

/// <summary>The real gateway executable: <c>--urls</c> and <c>ASPNETCORE_URLS</c> are honoured, never silently overridden.</summary>
public sealed class ListenUrlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-urls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task AssertServesAsync(string url)
    {
        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
        using var resp = await client.GetAsync(url + "/health/live");
        Assert.True(resp.IsSuccessStatusCode, $"{url}: {resp.StatusCode}");
    }

    [Fact]
    public async Task Urls_from_the_command_line_and_from_ASPNETCORE_URLS_are_where_the_gateway_listens()
    {
        var port = LocalProcess.FreeTcpPort();
        await using (var gw = await GatewayExecutable.StartAsync(["--urls", $"http://127.0.0.1:{port}"]))
        {
            await AssertServesAsync($"http://127.0.0.1:{port}");
            Assert.DoesNotContain("Overriding address", gw.Output);
        }
        port = LocalProcess.FreeTcpPort();
        await using (var gw = await GatewayExecutable.StartAsync([], new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" }))
        {
            await AssertServesAsync($"http://127.0.0.1:{port}");
            Assert.DoesNotContain("Overriding address", gw.Output);
        }
    }

    [Fact]
    public async Task Urls_are_still_honoured_next_to_the_https_endpoint()
    {
        var port = LocalProcess.FreeTcpPort();
        var tlsPort = LocalProcess.FreeTcpPort();
        await using var gw = await GatewayExecutable.StartAsync(TestCertificates.GatewayArgs(_dir, port, tlsPort));
        await AssertServesAsync($"http://127.0.0.1:{port}");
        await AssertServesAsync($"https://127.0.0.1:{tlsPort}");
        Assert.DoesNotContain("Overriding address", gw.Output);
    }

    [Fact]
    public async Task Urls_together_with_Kestrel_Endpoints_refuse_start_up_with_a_message()
    {
        var dll = GatewayExecutable.Dll();
        await using var gw = LocalProcess.Start(GatewayExecutable.Dotnet(), [dll, "--urls", "http://127.0.0.1:0", "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0"], Path.GetDirectoryName(dll));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await gw.WaitForExitAsync(cts.Token);
        Assert.Contains("Kestrel:Endpoints", gw.Output);
        Assert.Contains("urls", gw.Output);
        Assert.DoesNotContain("HLS gateway listening", gw.Output);
    }
}
