using System.Net;
using System.Security.Cryptography;
using HlsGateway.Hosting;
using HlsGateway.Tests.Common;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Hosting;

/// <summary>
/// Hosting/TlsWriteCoalescer sits between Kestrel's HTTP layer and the SslStream, Hosting/TlsDirectSend between the
/// SslStream and the socket: every byte of every response must still arrive, in order, on HTTP/2 (many streams
/// interleaved on one connection) and HTTP/1.1, with each of them on (the default) and off, to fast and to slow
/// readers; a client that goes away mid-response costs its connection only.
/// </summary>
public sealed class TlsWriteCoalescingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-tlsc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(TestOrigin Origin, GatewayHost Gateway, Uri Https, byte[] Segment, byte[] Big)> StartAsync(bool coalesce, int ioBlockSize = 64 * 1024, bool direct = true)
    {
        TestCertificates.Write(_dir);
        var origin = await TestOrigin.StartAsync();
        var segment = RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 123); // not a multiple of any buffer size
        var big = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        origin.Set("/live/seg.ts", segment);
        origin.Set("/live/big.ts", big);
        origin.Set("/live/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg.ts\n");
        var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Tls:Url"] = "https://127.0.0.1:0",
            ["Gateway:Tls:CertificatePath"] = Path.Combine(_dir, "cert.pem"),
            ["Gateway:Tls:KeyPath"] = Path.Combine(_dir, "key.pem"),
            ["Gateway:Tls:CoalesceWrites"] = coalesce ? "true" : "false",
            ["Gateway:Tls:DirectSend"] = direct ? "true" : "false",
            ["Gateway:Hosting:IoBlockSize"] = ioBlockSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var https = new Uri(gw.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal)));
        return (origin, gw, https, segment, big);
    }

    private static HttpClient Client() =>
        new(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }) { Timeout = TimeSpan.FromSeconds(60) };

    [Theory]
    [InlineData(true, 64 * 1024, true)]
    [InlineData(false, 64 * 1024, true)]
    [InlineData(true, 64 * 1024, false)] // Kestrel's transport pipe under the TLS stream
    [InlineData(false, 64 * 1024, false)]
    [InlineData(true, 0, true)] // Kestrel's own 4 KB pool
    [InlineData(false, 0, true)]
    [InlineData(true, 0, false)]
    [InlineData(true, 4096, true)]
    [InlineData(true, 1024 * 1024, true)]
    public async Task Every_byte_of_concurrent_responses_arrives_over_http2_and_http11(bool coalesce, int ioBlockSize, bool direct)
    {
        var connectionsBefore = TlsDirectSend.Connections;
        var (origin, gw, https, segment, _) = await StartAsync(coalesce, ioBlockSize, direct);
        await using var _o = origin;
        await using var _g = gw;
        using var client = Client();
        var expected = SHA256.HashData(segment);
        foreach (var version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
        {
            // 24 segment downloads and 24 playlist fetches at once: on HTTP/2 one connection carries them all, interleaved
            var tasks = Enumerable.Range(0, 48).Select(async i =>
            {
                var path = i % 2 == 0 ? "/hls/o/live/seg.ts" : "/hls/o/live/index.m3u8";
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(https, path)) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
                using var response = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(version, response.Version);
                var body = await response.Content.ReadAsByteArrayAsync();
                if (i % 2 == 0)
                {
                    Assert.Equal(expected, SHA256.HashData(body));
                }
                else
                {
                    Assert.StartsWith("#EXTM3U", System.Text.Encoding.UTF8.GetString(body), StringComparison.Ordinal);
                }
            });
            await Task.WhenAll(tasks);
        }
        // curl, a second client stack, over h2
        var (code, output) = await LocalProcess.RunAsync("curl", ["-sk", "--http2", "-o", "/dev/null", "-w", "%{http_version} %{size_download}", new Uri(https, "/hls/o/live/seg.ts").ToString()], TimeSpan.FromSeconds(30));
        Assert.Equal(0, code);
        Assert.Equal($"2 {segment.Length}", output.Trim());
        if (direct)
        {
            Assert.True(TlsDirectSend.Connections > connectionsBefore, "TLS connections did not send straight to the socket");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public async Task A_slow_reader_gets_every_byte_when_sends_have_to_wait_for_the_socket(int httpMajor)
    {
        // the client reads one sip of 20 MB, then stops for a while: the server fills the socket buffers, so its next
        // sends complete only later, when the reader drains the socket
        var (origin, gw, https, _, big) = await StartAsync(coalesce: true);
        await using var _o = origin;
        await using var _g = gw;
        var pendingBefore = TlsDirectSend.PendingSends;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            InitialHttp2StreamWindowSize = 16 * 1024 * 1024,
            ConnectCallback = SlowSocket.Connect(), // a 64 KB receive buffer, never grown past the 20 MB body
        }) { Timeout = TimeSpan.FromSeconds(60) };
        var version = httpMajor == 2 ? HttpVersion.Version20 : HttpVersion.Version11;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(https, "/hls/o/live/big.ts")) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sip = new byte[64 * 1024];
        long total = 0;
        int n;
        var reads = 0;
        while ((n = await stream.ReadAsync(sip)) > 0)
        {
            hash.AppendData(sip, 0, n);
            total += n;
            if (++reads == 1)
            {
                await Task.Delay(1500);
            }
        }
        Assert.Equal(big.Length, total);
        Assert.Equal(SHA256.HashData(big), hash.GetHashAndReset());
        if (httpMajor == 1)
        {
            // over h2 HttpClient drains the socket into its 16 MB stream window whether the app reads or not, so the
            // kernel buffers rarely fill; over h1 nothing reads the socket while the app pauses
            Assert.True(TlsDirectSend.PendingSends > pendingBefore, "no send ever waited for the socket: the slow path went untested");
        }
    }

    [Fact]
    public async Task A_client_that_leaves_mid_response_costs_only_its_connection()
    {
        var (origin, gw, https, segment, _) = await StartAsync(coalesce: true);
        await using var _o = origin;
        await using var _g = gw;
        for (var i = 0; i < 5; i++)
        {
            using var leaving = Client();
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(https, "/hls/o/live/big.ts")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await leaving.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var first = new byte[64 * 1024];
            await stream.ReadAtLeastAsync(first, first.Length);
            leaving.Dispose(); // the connection goes away with most of 20 MB unsent
        }
        using var client = Client();
        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri(https, "/hls/o/live/seg.ts")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var ok = await client.SendAsync(again);
        Assert.Equal(SHA256.HashData(segment), SHA256.HashData(await ok.Content.ReadAsByteArrayAsync()));
    }
}
