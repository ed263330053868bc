using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Hosting;

/// <summary>
/// The real gateway process: Gateway:Hosting:InlineSocketCompletions reaches the runtime (its epoll thread count
/// changes: one per core when inline), wins over an inherited DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS, is
/// reported at start, and the gateway serves HTTPS (h1 and h2) and cleartext in both modes.
/// </summary>
public sealed class SocketCompletionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-sockets-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(null, "0")] // the default, over an inherited "off"
    [InlineData(false, "1")] // off, over an inherited "on"
    public async Task The_option_decides_where_socket_completions_run(bool? inline, string inheritedVariable)
    {
        var port = LocalProcess.FreeTcpPort();
        var tlsPort = LocalProcess.FreeTcpPort();
        var args = TestCertificates.GatewayArgs(_dir, port, tlsPort);
        if (inline is { } v)
        {
            args.Add($"--Gateway:Hosting:InlineSocketCompletions={v}");
        }
        await using var gw = await GatewayExecutable.StartAsync(args,
            new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = inheritedVariable });

        var expectInline = inline ?? true;
        Assert.Contains(expectInline
            ? $"Socket completions run inline on {Environment.ProcessorCount} epoll threads"
            : "Socket completions are queued to the thread pool", gw.Output);
        // the runtime's own rule for its epoll threads: one per core when inline, else one per 30 cores (x64)
        var expectedThreads = expectInline ? Environment.ProcessorCount : Math.Max(1, (int)Math.Round(Environment.ProcessorCount / 30.0));
        var eventThreads = Directory.GetDirectories($"/proc/{gw.Id}/task")
            .Count(t => File.ReadAllText(Path.Combine(t, "comm")).Trim() == ".NET Sockets");
        Assert.Equal(expectedThreads, eventThreads);

        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
        foreach (var version in new[] { System.Net.HttpVersion.Version11, System.Net.HttpVersion.Version20 })
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{tlsPort}/hls/demo/live.m3u8")
            {
                Version = version,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            using var resp = await client.SendAsync(req);
            Assert.True(resp.IsSuccessStatusCode, $"{version}: {resp.StatusCode}");
            Assert.Equal(version, resp.Version);
            Assert.StartsWith("#EXTM3U", await resp.Content.ReadAsStringAsync());
        }
        using var clear = await client.GetAsync($"http://127.0.0.1:{port}/hls/demo/live.m3u8");
        Assert.True(clear.IsSuccessStatusCode, clear.StatusCode.ToString());
    }
}
