using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using HlsGateway.Hosting;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Hosting;

/// <summary>
/// The real gateway process: a segment over TLS h2 costs few thread-pool work items (counted by the runtime and read
/// from /metrics: a count, not a time), each a thread wake-up. TlsWriteCoalescer's pump runs inline in the HTTP/2
/// frame writer's flush once a full TLS record waits (64 KB writes, h2load, 670 KB: 48 per response with the pump
/// queued, 36 inline), and the cached body goes out in Gateway:Hosting:Http2WriteChunk writes, two Kestrel hops each
/// (256 KB by default: 12).
/// </summary>
public sealed class TlsPumpHopsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-tlshops-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(64 * 1024, 3.8)] // 36.2 per response inline, 49.0 with the pump queued to the thread pool
    [InlineData(null, 4.6)] // the default write size, 256 KB: 12.2 per response (3 writes), against 36 with 64 KB writes
    public async Task A_segment_over_TLS_h2_costs_at_most_a_few_thread_pool_hops_per_write(int? writeChunk, double perChunk)
    {
        await using var origin = await TestOrigin.StartAsync();
        var segment = RandomNumberGenerator.GetBytes(670 * 1024);
        origin.Set("/live/seg.ts", segment);
        var port = LocalProcess.FreeTcpPort();
        var tlsPort = LocalProcess.FreeTcpPort();
        var args = TestCertificates.GatewayArgs(_dir, port, tlsPort);
        args.Add($"--Gateway:Origins:o={origin.BaseUrl}");
        if (writeChunk is { } w)
        {
            args.Add($"--Gateway:Hosting:Http2WriteChunk={w}");
        }
        await using var gw = await GatewayExecutable.StartAsync(args);

        var clients = Enumerable.Range(0, 4).Select(_ => new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            InitialHttp2StreamWindowSize = 8 * 1024 * 1024, // a browser's (Chrome: 6 MB): no stall on WINDOW_UPDATEs
        })
        {
            BaseAddress = new Uri($"https://127.0.0.1:{tlsPort}/hls/o/live/"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        }).ToArray();
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        try
        {
            var expected = SHA256.HashData(segment);
            async Task FetchAsync(int perClient) => await Task.WhenAll(clients.Select(async c =>
            {
                for (var i = 0; i < perClient; i++)
                {
                    var body = await c.GetByteArrayAsync("seg.ts");
                    Assert.Equal(expected, SHA256.HashData(body));
                }
            }));
            await FetchAsync(25); // fills the cache, opens the connections, tiers up the JIT

            const int PerClient = 50;
            var before = await WorkItemsAsync(metrics);
            await FetchAsync(PerClient);
            var after = await WorkItemsAsync(metrics);

            var responses = clients.Length * PerClient;
            var perResponse = (after - before) / responses;
            var chunks = Math.Ceiling(segment.Length / (double)(writeChunk ?? new HostingOptions().Http2WriteChunk)); // the body's awaited writes
            // at least Kestrel's two hops per write: the configured write size is the one in effect
            Assert.True(perResponse >= chunks * 2, $"{perResponse:F1} thread-pool work items per response: fewer than two per {chunks} writes");
            // 64 KB writes: ~3.3 per write inline (36 per 670 KB segment), ~4.4 with the pump queued to the thread pool
            // (49); the bound sits between the two, above what timers and the /metrics reads themselves add
            Assert.True(perResponse <= chunks * perChunk, $"{perResponse:F1} thread-pool work items per {segment.Length}-byte response over TLS h2 ({chunks} writes)");
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
    }

    private static async Task<double> WorkItemsAsync(HttpClient metrics)
    {
        const string Name = "system_runtime_dotnet_thread_pool_work_item_count ";
        var text = await metrics.GetStringAsync("metrics");
        var line = text.Split('\n').Single(l => l.StartsWith(Name, StringComparison.Ordinal));
        return double.Parse(line[Name.Length..], CultureInfo.InvariantCulture);
    }
}
