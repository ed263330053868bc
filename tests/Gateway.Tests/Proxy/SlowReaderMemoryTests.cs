using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using HlsGateway.Hosting;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Hosting;
using HlsGateway.Tests.ScaleOut;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Proxy;

/// <summary>
/// A player that stops reading (a stalled tab, a phone in a tunnel) must cost the gateway a bounded amount of memory,
/// not its whole segment: cached bodies are written in chunks, each awaited (<c>Kestrel:Limits:MaxResponseBufferSize</c>
/// on HTTP/1.1, <c>Gateway:Hosting:Http2WriteChunk</c> on HTTP/2), so what waits for the socket is at most about two
/// chunks per response. Counted in the I/O pool's blocks
/// (every pipe between the response and the socket rents them), with real stalled clients: over HTTP/1.1 a socket
/// with a 64 KB receive buffer; over HTTP/2 a stream whose 64 KB flow-control window the client never reopens (an
/// HTTP/2 client keeps reading its socket into its own buffers: the window is what holds the bytes back there).
/// </summary>
public sealed class SlowReaderMemoryTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const int Readers = 6;
    private const int SegmentBytes = 8 * 1024 * 1024; // more than the kernel's socket buffers take (4 MB wmem max)
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-slow-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("https", 2)]
    [InlineData("https", 1)]
    [InlineData("http", 2)]
    [InlineData("http", 1)]
    public async Task A_stalled_reader_holds_at_most_a_few_blocks_of_its_segment(string scheme, int httpMajor)
    {
        // cleartext h2 is prior knowledge: that endpoint speaks only the protocol under test
        await using var setup = await CachedSegmentGateway.StartAsync(_dir, cleartextProtocols: httpMajor == 2 ? "Http2" : "Http1");
        var (factory, segment) = (setup.Factory, setup.Segment);
        var baseUri = setup.BaseUri(scheme);
        var url = new Uri(baseUri, SegmentPath);
        var version = httpMajor == 2 ? HttpVersion.Version20 : HttpVersion.Version11;
        await setup.WarmAsync(url, version);
        var clients = Enumerable.Range(0, Readers).Select(_ => Client(slow: true)).ToArray();
        var responses = new List<HttpResponseMessage>();
        try
        {
            foreach (var client in clients)
            {
                var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
                var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("HIT", response.Headers.GetValues("X-Cache").Single());
                responses.Add(response);
            }
            // the readers read nothing more: wait until the gateway stops moving bytes (the count settles)
            var settled = await SettledBlocksAsync(factory);
            var perReader = settled * factory.BlockSize / Readers;
            // HTTP/1.1: a connection's own read block, a 64 KB chunk and a chunk in the connection's output: <= 4 blocks.
            // HTTP/2: the stream pipe's 256 KB chunk, held back by the closed window (measured: exactly that), + 2 blocks
            output.WriteLine($"{scheme} h{httpMajor}: {perReader / 1024} KB per reader ({settled} blocks)");
            var bound = httpMajor == 2 ? Http2ChunkBlocks(factory) + 2 : 4;
            Assert.True(perReader <= bound * factory.BlockSize, $"{perReader / 1024} KB of each stalled {SegmentBytes / 1024} KB response held ({settled} blocks for {Readers} readers)");

            // operators see the same on /metrics (sampled at the scrape, which holds a block or two itself)
            using (var scraper = Client(slow: false))
            {
                using var scrape = await scraper.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "/metrics")) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact });
                var inUse = MetricsText.Sum(await scrape.EnsureSuccessStatusCode().Content.ReadAsStringAsync(), "hlsgw_io_buffer_bytes", "state=\"in_use\"");
                Assert.NotNull(inUse);
                Assert.InRange(inUse.Value, settled * factory.BlockSize, (settled + 8) * factory.BlockSize);
            }

            // and every byte still arrives once the readers read again
            foreach (var response in responses)
            {
                var body = await response.Content.ReadAsByteArrayAsync();
                Assert.Equal(SHA256.HashData(segment), SHA256.HashData(body));
            }
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>
    /// HTTP/2 over TLS to a player whose socket is full: a browser tab starved of CPU advertises big windows (Chrome:
    /// 6 MB a stream) and then does not read. Flow control does not stop the gateway here, so what it holds is what
    /// its own pipes between the response and the socket let pile up (the TLS write coalescer's pipe among them).
    /// HttpClient cannot be that player (it always drains its socket), so this one speaks HTTP/2 frames itself.
    /// </summary>
    [Fact]
    public async Task A_TLS_h2_player_with_open_windows_and_a_full_socket_holds_at_most_a_few_blocks()
    {
        await using var setup = await CachedSegmentGateway.StartAsync(_dir);
        var (factory, segment) = (setup.Factory, setup.Segment);
        var baseUri = setup.BaseUri("https");
        await setup.WarmAsync(new Uri(baseUri, SegmentPath), HttpVersion.Version20);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var players = new List<(Socket Socket, SslStream Tls)>();
        try
        {
            for (var i = 0; i < Readers; i++)
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024, NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, baseUri.Port, cts.Token);
                var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false, (_, _, _, _) => true);
                players.Add((socket, tls));
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "localhost",
                    ApplicationProtocols = [SslApplicationProtocol.Http2],
                }, cts.Token);
                Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
                await tls.WriteAsync(RawHttp2.Preface, cts.Token);
                await RawHttp2.WriteFrameAsync(tls, RawHttp2.Settings, 0, 0, RawHttp2.SettingsPayload((0x4, int.MaxValue)), cts.Token); // INITIAL_WINDOW_SIZE
                await RawHttp2.WriteFrameAsync(tls, RawHttp2.WindowUpdate, 0, 0, RawHttp2.WindowIncrement(int.MaxValue - 65535u), cts.Token);
                await RawHttp2.WriteFrameAsync(tls, RawHttp2.Headers, 0x5 /* END_STREAM | END_HEADERS */, 1,
                    RawHttp2.HeaderBlock(SegmentPath, $"127.0.0.1:{baseUri.Port}", https: true), cts.Token);
            }
            var settled = await SettledBlocksAsync(factory);
            var perReader = settled * factory.BlockSize / Readers;
            // a chunk in the stream pipe, the chunk before it that the frame writer moved into the coalescer's pipe in
            // one go (it pauses only the next flush), two coalescer writes and a read block: measured 640 KB (10 blocks)
            // with 256 KB chunks; 309 KB with 64 KB ones (Gateway:Hosting:Http2WriteChunk=65536)
            output.WriteLine($"https h2, full socket: {perReader / 1024} KB per reader ({settled} blocks)");
            Assert.True(perReader <= (2 * Http2ChunkBlocks(factory) + 3) * factory.BlockSize, $"{perReader / 1024} KB of each stalled {SegmentBytes / 1024} KB response held ({settled} blocks for {Readers} readers)");

            // and every byte still arrives, in order, once the players read again
            foreach (var (_, tls) in players)
            {
                Assert.Equal(SHA256.HashData(segment), SHA256.HashData(await ReadBodyAsync(tls, cts.Token)));
            }
        }
        finally
        {
            foreach (var (socket, tls) in players)
            {
                await tls.DisposeAsync();
                socket.Dispose();
            }
        }
    }

    private static long Http2ChunkBlocks(IoBlockPoolFactory factory) => new HostingOptions().Http2WriteChunk / factory.BlockSize;

    /// <summary>Stream 1's body: DATA frames to END_STREAM, acknowledging what the protocol asks to on the way.</summary>
    private static async Task<byte[]> ReadBodyAsync(Stream tls, CancellationToken ct)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var frame = await RawHttp2.ReadFrameAsync(tls, ct);
            switch (frame.Type)
            {
                case RawHttp2.Settings when (frame.Flags & 0x1) == 0:
                    await RawHttp2.WriteFrameAsync(tls, RawHttp2.Settings, 0x1, 0, [], ct);
                    break;
                case RawHttp2.Ping when (frame.Flags & 0x1) == 0:
                    await RawHttp2.WriteFrameAsync(tls, RawHttp2.Ping, 0x1, 0, frame.Payload, ct);
                    break;
                case RawHttp2.GoAway or RawHttp2.RstStream:
                    Assert.Fail($"frame type {frame.Type} before the body ended");
                    break;
                case RawHttp2.Data when frame.StreamId == 1:
                    body.Write(frame.Payload);
                    if ((frame.Flags & 0x1) != 0)
                    {
                        return body.ToArray();
                    }
                    break;
            }
        }
    }

    /// <summary>The I/O pool's rented blocks once nothing moves any more (two equal counts 300 ms apart).</summary>
    private static async Task<long> SettledBlocksAsync(IoBlockPoolFactory factory)
    {
        long settled = -1;
        await Poll.UntilAsync(async () =>
        {
            var now = factory.BlocksInUse;
            var same = now == settled;
            settled = now;
            await Task.Delay(300);
            return same && factory.BlocksInUse == now;
        }, TimeSpan.FromSeconds(20), "the stalled responses to settle");
        return settled;
    }

    private const string SegmentPath = "/hls/o/live/seg.ts";

    /// <summary>A gateway (cleartext and TLS listeners) in front of an origin holding one random segment of <see cref="SegmentBytes"/>.</summary>
    private sealed class CachedSegmentGateway(TestOrigin origin, GatewayHost gateway, byte[] segment) : IAsyncDisposable
    {
        public byte[] Segment => segment;

        public IoBlockPoolFactory Factory { get; } = Assert.IsType<IoBlockPoolFactory>(gateway.Services.GetRequiredService<IMemoryPoolFactory<byte>>());

        public static async Task<CachedSegmentGateway> StartAsync(string dir, string? cleartextProtocols = null)
        {
            TestCertificates.Write(dir);
            var origin = await TestOrigin.StartAsync();
            var segment = RandomNumberGenerator.GetBytes(SegmentBytes);
            origin.Set("/live/seg.ts", segment);
            var settings = new Dictionary<string, string?>
            {
                ["Gateway:Origins:o"] = origin.BaseUrl,
                ["Gateway:Tls:Url"] = "https://127.0.0.1:0",
                ["Gateway:Tls:CertificatePath"] = Path.Combine(dir, "cert.pem"),
                ["Gateway:Tls:KeyPath"] = Path.Combine(dir, "key.pem"),
            };
            if (cleartextProtocols is not null)
            {
                settings["Kestrel:Endpoints:Http:Protocols"] = cleartextProtocols;
            }
            try
            {
                return new CachedSegmentGateway(origin, await GatewayHost.StartAsync(settings), segment);
            }
            catch
            {
                await origin.DisposeAsync();
                throw;
            }
        }

        public Uri BaseUri(string scheme) => new(gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => a.StartsWith(scheme + "://", StringComparison.Ordinal)));

        /// <summary>Fills the cache (the stalled readers are cache hits, as players after the first one are), then waits for idle pools.</summary>
        public async Task WarmAsync(Uri url, Version version)
        {
            using (var warm = Client(slow: false))
            {
                using var first = await warm.SendAsync(new HttpRequestMessage(HttpMethod.Get, url) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact });
                Assert.Equal(SegmentBytes, (await first.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync()).Length);
            }
            await Poll.UntilAsync(() => Factory.BlocksInUse == 0, TimeSpan.FromSeconds(10), "idle pools");
        }

        public async ValueTask DisposeAsync()
        {
            await gateway.DisposeAsync();
            await origin.DisposeAsync();
        }
    }

    private static HttpClient Client(bool slow)
    {
        var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        if (slow)
        {
            handler.ConnectCallback = SlowSocket.Connect(); // 64 KB: loopback autotuning would otherwise take the whole segment
        }
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
    }
}
