using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HlsGateway.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Resilience;

/// <summary>HTTP/2 limits on the gateway's h2c endpoint: advertised settings, enforced stream limit, flow-control windows.</summary>
public sealed class Http2LimitsTests
{
    private const int MaxStreams = 4;

    private static async Task<(TestOrigin Origin, GatewayHost Gateway, int H2cPort)> StartAsync(Action<WebApplicationBuilder>? configure = null)
    {
        var origin = await TestOrigin.StartAsync();
        var h2cPort = LocalProcess.FreeTcpPort();
        var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Kestrel:Endpoints:H2c:Url"] = $"http://127.0.0.1:{h2cPort}",
            ["Kestrel:Endpoints:H2c:Protocols"] = "Http2",
            ["Kestrel:Limits:Http2:MaxStreamsPerConnection"] = MaxStreams.ToString(),
            ["Kestrel:Limits:Http2:InitialConnectionWindowSize"] = "98304",
            ["Kestrel:Limits:Http2:InitialStreamWindowSize"] = "70000",
        }, configure);
        return (origin, gw, h2cPort);
    }

    [Fact]
    public async Task Advertises_the_configured_stream_limit_and_windows_and_refuses_excess_streams()
    {
        var (origin, gw, port) = await StartAsync();
        await using var originScope = origin;
        await using var gatewayScope = gw;
        for (var i = 0; i < MaxStreams + 3; i++)
        {
            origin.Set($"/live/s{i}.ts", new byte[100]);
        }
        origin.Fault = OriginFault.Slow; // keep the first streams open while the rest arrive
        origin.Delay = TimeSpan.FromSeconds(2);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        var ct = cts.Token;

        await stream.WriteAsync(RawHttp2.Preface, ct);
        await RawHttp2.WriteFrameAsync(stream, 0x4, 0, 0, [], ct); // our (empty) SETTINGS

        // The server's SETTINGS, then its connection WINDOW_UPDATE.
        var settings = new Dictionary<int, uint>();
        uint? connectionIncrement = null;
        while (settings.Count == 0 || connectionIncrement is null)
        {
            var f = await RawHttp2.ReadFrameAsync(stream, ct);
            if (f.Type == 0x4 && (f.Flags & 0x1) == 0)
            {
                for (var p = 0; p + 6 <= f.Payload.Length; p += 6)
                {
                    settings[BinaryPrimitives.ReadUInt16BigEndian(f.Payload.AsSpan(p))] = BinaryPrimitives.ReadUInt32BigEndian(f.Payload.AsSpan(p + 2));
                }
                await RawHttp2.WriteFrameAsync(stream, 0x4, 0x1, 0, [], ct); // ACK
            }
            else if (f.Type == 0x8 && f.StreamId == 0)
            {
                connectionIncrement = BinaryPrimitives.ReadUInt32BigEndian(f.Payload) & 0x7fffffff;
            }
        }
        Assert.Equal((uint)MaxStreams, settings[0x3]); // SETTINGS_MAX_CONCURRENT_STREAMS
        Assert.Equal(70000u, settings[0x4]);           // SETTINGS_INITIAL_WINDOW_SIZE
        Assert.Equal(98304u - 65535u, connectionIncrement); // connection window raised from the protocol's 65,535

        // Open MaxStreams + 3 requests at once: the extra ones are refused, the others answered.
        var streamIds = Enumerable.Range(0, MaxStreams + 3).Select(i => 1 + 2 * i).ToArray();
        for (var i = 0; i < streamIds.Length; i++)
        {
            await RawHttp2.WriteFrameAsync(stream, 0x1, 0x5 /* END_STREAM | END_HEADERS */, streamIds[i], RawHttp2.HeaderBlock($"/hls/o/live/s{i}.ts", $"127.0.0.1:{port}"), ct);
        }
        var answered = new HashSet<int>();
        var refused = new HashSet<int>();
        while (answered.Count + refused.Count < streamIds.Length)
        {
            var f = await RawHttp2.ReadFrameAsync(stream, ct);
            if (f.Type == 0x1)
            {
                Assert.Equal(0x88, f.Payload[0]); // HPACK indexed ":status: 200"
                answered.Add(f.StreamId);
            }
            else if (f.Type == 0x3)
            {
                Assert.Equal(0x7u, BinaryPrimitives.ReadUInt32BigEndian(f.Payload)); // REFUSED_STREAM
                refused.Add(f.StreamId);
            }
            else if (f.Type == 0x7)
            {
                Assert.Fail("GOAWAY: " + Encoding.ASCII.GetString(f.Payload.AsSpan(8)));
            }
            else if (f.Type == 0x6 && (f.Flags & 0x1) == 0)
            {
                await RawHttp2.WriteFrameAsync(stream, 0x6, 0x1, 0, f.Payload, ct); // PING ACK
            }
        }
        Assert.Equal(MaxStreams, answered.Count);
        Assert.Equal(streamIds.Take(MaxStreams).ToHashSet(), answered);
        Assert.Equal(3, refused.Count);
        // a refused stream never reached the origin
        Assert.Equal(MaxStreams, origin.TotalHits);
    }

    [Fact]
    public async Task HttpClient_multiplexes_within_the_limit_and_every_request_succeeds()
    {
        var probe = new ConcurrencyProbe();
        var (origin, gw, port) = await StartAsync(b => b.Services.AddSingleton<IStartupFilter>(probe));
        await using var originScope = origin;
        await using var gatewayScope = gw;
        for (var i = 0; i < 16; i++)
        {
            origin.Set($"/live/m{i}.ts", Enumerable.Range(0, 300_000).Select(x => (byte)(x * (i + 1))).ToArray());
        }
        origin.Latency = TimeSpan.FromMilliseconds(300);

        using var client = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            using var r = await client.GetAsync($"/hls/o/live/m{i}.ts");
            var body = await r.Content.ReadAsByteArrayAsync();
            return (r.StatusCode, r.Version, Ok: body.Length == 300_000 && body[7] == (byte)(7 * (i + 1)));
        }));

        Assert.All(results, r => Assert.Equal((HttpStatusCode.OK, HttpVersion.Version20, true), r));
        Assert.InRange(probe.Max, 1, MaxStreams);
        Assert.Equal(16, origin.TotalHits);
    }

    private sealed class ConcurrencyProbe : IStartupFilter
    {
        private int _current;
        private int _max;

        public int Max => Volatile.Read(ref _max);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext ctx, RequestDelegate inner) =>
            {
                var now = Interlocked.Increment(ref _current);
                int seen;
                while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
                {
                }
                try
                {
                    await inner(ctx);
                }
                finally
                {
                    Interlocked.Decrement(ref _current);
                }
            });
            next(app);
        };
    }
}
