using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using HlsGateway.Hosting;
using HlsGateway.Tests.Common;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Resilience;

/// <summary>Kestrel:Limits on the real gateway, driven over raw TCP sockets.</summary>
public sealed class KestrelLimitsTests
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    internal static async Task<(TestOrigin Origin, GatewayHost Gateway)> StartAsync(params (string Key, string Value)[] settings)
    {
        var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", new byte[1000]);
        var d = new Dictionary<string, string?> { ["Gateway:Origins:o"] = origin.BaseUrl };
        foreach (var (k, v) in settings)
        {
            d[k] = v;
        }
        return (origin, await GatewayHost.StartAsync(d));
    }

    [Fact]
    public async Task Oversized_request_headers_get_431_and_never_reach_the_origin()
    {
        var (origin, gw) = await StartAsync();
        await using var originScope = origin;
        await using var gatewayScope = gw;
        // default Kestrel:Limits:MaxRequestHeadersTotalSize is 16 KiB
        var (text, closed) = await RawHttp.ExchangeAsync(RawHttp.Port(gw.BaseUrl), RawHttp.Get("/hls/o/live/seg.ts", $"X-Pad: {new string('a', 20_000)}\r\n"), ReadTimeout);

        Assert.Equal(431, RawHttp.Status(text));
        Assert.True(closed, "the server should close the connection after 431");
        Assert.Equal(0, origin.TotalHits);
    }

    [Fact]
    public async Task Too_many_request_headers_get_431()
    {
        var (origin, gw) = await StartAsync();
        await using var originScope = origin;
        await using var gatewayScope = gw;
        var headers = string.Concat(Enumerable.Range(0, 100).Select(i => $"X-H{i}: v\r\n")); // limit 64
        var (text, _) = await RawHttp.ExchangeAsync(RawHttp.Port(gw.BaseUrl), RawHttp.Get("/hls/o/live/seg.ts", headers), ReadTimeout);

        Assert.Equal(431, RawHttp.Status(text));
        Assert.Equal(0, origin.TotalHits);
    }

    [Fact]
    public async Task A_10k_character_url_gets_414_and_never_reaches_the_origin()
    {
        var (origin, gw) = await StartAsync();
        await using var originScope = origin;
        await using var gatewayScope = gw;
        var (text, closed) = await RawHttp.ExchangeAsync(RawHttp.Port(gw.BaseUrl), RawHttp.Get("/hls/o/live/seg.ts?pad=" + new string('a', 10_000)), ReadTimeout);

        Assert.Equal(414, RawHttp.Status(text));
        Assert.True(closed);
        Assert.Equal(0, origin.TotalHits);
    }

    [Fact]
    public async Task Slowloris_headers_are_cut_off_after_RequestHeadersTimeout()
    {
        var (origin, gw) = await StartAsync(("Kestrel:Limits:RequestHeadersTimeout", "00:00:02"));
        await using var originScope = origin;
        await using var gatewayScope = gw;
        using var socket = await RawHttp.ConnectAsync(RawHttp.Port(gw.BaseUrl));
        var started = Stopwatch.StartNew();
        var reader = RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(20));
        var request = Encoding.ASCII.GetBytes("GET /hls/o/live/seg.ts HTTP/1.1\r\nHost: gw\r\nX-Slow: " + new string('a', 60));
        var sent = 0;
        // one byte per second, never finishing the headers
        while (!reader.IsCompleted && sent < request.Length && started.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                await socket.SendAsync(request.AsMemory(sent, 1), SocketFlags.None);
            }
            catch (SocketException)
            {
                break; // closed by the server
            }
            sent++;
            await Task.WhenAny(reader, Task.Delay(1000));
        }
        var (text, closed) = await reader;
        var elapsed = started.Elapsed;

        Assert.True(closed, $"the server kept a slowloris connection open for {elapsed.TotalSeconds:0.0} s ({sent} bytes sent)");
        Assert.True(elapsed >= TimeSpan.FromSeconds(1.5), $"closed after {elapsed.TotalSeconds:0.0} s, before the header timeout");
        Assert.True(text.Length == 0 || RawHttp.Status(text) == 408, "unexpected answer: " + text);
        Assert.Equal(0, origin.TotalHits);
    }

    [Fact]
    public async Task A_slow_request_body_is_cut_off_by_MinRequestBodyDataRate()
    {
        var (origin, gw) = await StartAsync(
            ("Kestrel:Limits:MinRequestBodyDataRate:BytesPerSecond", "100"),
            ("Kestrel:Limits:MinRequestBodyDataRate:GracePeriod", "00:00:02"));
        await using var originScope = origin;
        await using var gatewayScope = gw;
        using var socket = await RawHttp.ConnectAsync(RawHttp.Port(gw.BaseUrl));
        var started = Stopwatch.StartNew();
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /hls/o/live/seg.ts HTTP/1.1\r\nHost: gw\r\nContent-Length: 10000\r\n\r\n"), SocketFlags.None);
        var reader = RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(25));
        while (!reader.IsCompleted && started.Elapsed < TimeSpan.FromSeconds(25))
        {
            try
            {
                await socket.SendAsync("x"u8.ToArray(), SocketFlags.None);
            }
            catch (SocketException)
            {
                break;
            }
            await Task.WhenAny(reader, Task.Delay(1000));
        }
        var (text, closed) = await reader;

        Assert.True(closed, $"a 1 B/s body held the connection for {started.Elapsed.TotalSeconds:0.0} s");
        Assert.True(text.Length == 0 || RawHttp.Status(text) == 408, "unexpected answer: " + text);
        Assert.Equal(0, origin.TotalHits);
    }

    [Fact]
    public async Task Idle_keep_alive_connections_are_closed_after_KeepAliveTimeout()
    {
        var (origin, gw) = await StartAsync(("Kestrel:Limits:KeepAliveTimeout", "00:00:02"));
        await using var originScope = origin;
        await using var gatewayScope = gw;
        using var socket = await RawHttp.ConnectAsync(RawHttp.Port(gw.BaseUrl));
        await socket.SendAsync(Encoding.ASCII.GetBytes(RawHttp.Get("/hls/o/live/seg.ts")), SocketFlags.None);
        var started = Stopwatch.StartNew();
        var (text, closed) = await RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(20));

        Assert.Equal(200, RawHttp.Status(text));
        Assert.True(closed, "the idle connection was not closed");
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(1.5), $"closed after {started.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task MaxConcurrentConnections_is_honoured_and_frees_up()
    {
        var (origin, gw) = await StartAsync(("Kestrel:Limits:MaxConcurrentConnections", "4"));
        await using var originScope = origin;
        await using var gatewayScope = gw;
        var port = RawHttp.Port(gw.BaseUrl);
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var s = await RawHttp.ConnectAsync(port);
                held.Add(s);
                await s.SendAsync(Encoding.ASCII.GetBytes(RawHttp.Get("/hls/o/live/seg.ts")), SocketFlags.None);
                Assert.Equal(200, RawHttp.Status(await RawHttp.ReadHeadAsync(s, ReadTimeout)));
            }

            // the fifth is accepted by the OS, then closed by Kestrel without an answer
            var (text, closed) = await RawHttp.ExchangeAsync(port, RawHttp.Get("/hls/o/live/seg.ts"), ReadTimeout);
            Assert.True(closed);
            Assert.Equal(0, RawHttp.Status(text));

            held[0].Dispose();
            held.RemoveAt(0);
            var deadline = Stopwatch.StartNew();
            var status = 0;
            while (status != 200 && deadline.Elapsed < TimeSpan.FromSeconds(15))
            {
                (text, _) = await RawHttp.ExchangeAsync(port, RawHttp.Get("/hls/o/live/seg.ts", "Connection: close\r\n"), ReadTimeout);
                status = RawHttp.Status(text);
                if (status != 200)
                {
                    await Task.Delay(100);
                }
            }
            Assert.Equal(200, status);
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    public static TheoryData<string, string> SmugglingAttempts => new()
    {
        {
            "CL+TE",
            "GET /hls/o/live/seg.ts HTTP/1.1\r\nHost: gw\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /hls/o/live/smuggled.ts HTTP/1.1\r\nHost: gw\r\n\r\n"
        },
        {
            "TE+CL",
            "GET /hls/o/live/seg.ts HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n0\r\n\r\nGET /hls/o/live/smuggled.ts HTTP/1.1\r\nHost: gw\r\n\r\n"
        },
        {
            "duplicate differing Content-Length",
            "GET /hls/o/live/seg.ts HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\nContent-Length: 45\r\n\r\nGET /hls/o/live/smuggled.ts HTTP/1.1\r\nHost: gw\r\n\r\n"
        },
        {
            "malformed chunk size",
            "GET /hls/o/live/seg.ts HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET /hls/o/live/smuggled.ts HTTP/1.1\r\nHost: gw\r\n\r\n"
        },
        {
            "chunk size overflow",
            "GET /hls/o/live/seg.ts HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nGET /hls/o/live/smuggled.ts HTTP/1.1\r\nHost: gw\r\n\r\n"
        },
        {
            "chunk without CRLF",
            "GET /hls/o/live/seg.ts HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcGET /hls/o/live/smuggled.ts HTTP/1.1\r\nHost: gw\r\n\r\n"
        },
        {
            "obfuscated Transfer-Encoding",
            "GET /hls/o/live/seg.ts HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"
        },
        {
            "chunked not last",
            "GET /hls/o/live/seg.ts HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"
        },
        {
            "body on a media GET",
            "GET /hls/o/live/seg.ts HTTP/1.1\r\nHost: gw\r\nContent-Length: 45\r\n\r\nGET /hls/o/live/smuggled.ts HTTP/1.1\r\nHost: gw\r\n\r\n"
        },
        {
            "CL+TE on a POST",
            "POST /hls/o/live/seg.ts HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /hls/o/live/smuggled.ts HTTP/1.1\r\nHost: gw\r\n\r\n"
        },
    };

    [Theory]
    [MemberData(nameof(SmugglingAttempts))]
    public async Task Request_smuggling_attempts_get_400_and_are_not_forwarded(string name, string request)
    {
        var (origin, gw) = await StartAsync();
        await using var originScope = origin;
        await using var gatewayScope = gw;
        origin.Set("/live/smuggled.ts", new byte[10]);

        var (text, closed) = await RawHttp.ExchangeAsync(RawHttp.Port(gw.BaseUrl), request, ReadTimeout);

        Assert.True(RawHttp.Status(text) == 400, $"{name}: expected 400, got:\n{text}");
        Assert.True(closed, $"{name}: the connection must be closed after a framing error");
        Assert.Equal(1, RawHttp.ResponseCount(text)); // the smuggled request was never parsed
        Assert.Equal(0, origin.TotalHits);

        // the gateway still serves normally
        using var ok = await gw.Client.GetAsync("/hls/o/live/seg.ts");
        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Appsettings_and_code_defaults_agree_and_reach_kestrel()
    {
        var json = Path.Combine(Tools.RepoRoot, "src", "Gateway", "appsettings.json");
        var config = new ConfigurationBuilder().AddJsonFile(json).Build();
        var (fromFile, hosting) = ServerHostingExtensions.Bind(config);
        var defaults = new KestrelLimitsOptions();
        Assert.Equivalent(defaults, fromFile, strict: true);
        Assert.Equal(new HostingOptions().ShutdownTimeout, hosting.ShutdownTimeout);
        Assert.Equal(new HostingOptions().DrainDelay, hosting.DrainDelay);
        Assert.Equal(new HostingOptions().InlineIoScheduling, hosting.InlineIoScheduling);

        var (origin, gw) = await StartAsync(("Kestrel:Limits:Http2:MaxStreamsPerConnection", "7"), ("Gateway:Hosting:ShutdownTimeout", "00:00:09"));
        await using var originScope = origin;
        await using var gatewayScope = gw;
        var limits = gw.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.Equal(10_000, limits.MaxConcurrentConnections);
        Assert.Equal(64 * 1024, limits.MaxRequestBodySize);
        Assert.Equal(new KestrelLimitsOptions().MaxResponseBufferSize, limits.MaxResponseBufferSize);
        Assert.Equal(16 * 1024, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(8 * 1024, limits.MaxRequestLineSize);
        Assert.Equal(TimeSpan.FromSeconds(10), limits.RequestHeadersTimeout);
        Assert.Equal(240, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(7, limits.Http2.MaxStreamsPerConnection);
        Assert.Equal(128 * 1024, limits.Http2.InitialConnectionWindowSize);
        Assert.Equal(TimeSpan.FromSeconds(9), gw.Services.GetRequiredService<IOptions<Microsoft.Extensions.Hosting.HostOptions>>().Value.ShutdownTimeout);
    }

    [Fact]
    public async Task Inline_io_scheduling_is_on_by_default_reaches_the_socket_transport_and_can_be_switched_off()
    {
        Assert.True(new HostingOptions().InlineIoScheduling);
        var (origin, gw) = await StartAsync();
        await using var originScope = origin;
        await using var gatewayScope = gw;
        var transport = gw.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>>().Value;
        Assert.True(transport.UnsafePreferInlineScheduling);
        // a small and a large segment, concurrently, miss then hit: more large writes at once than the large-chunk
        // budget (16 per core), so both write paths run, and every body must arrive whole and in order
        var big = Enumerable.Range(0, 700_000).Select(i => (byte)(i * 7)).ToArray();
        origin.Set("/live/big.ts", big);
        var urls = Enumerable.Range(0, 20 * Environment.ProcessorCount + 8).Select(i => i % 8 == 0 ? "/hls/o/live/seg.ts" : "/hls/o/live/big.ts").ToList();
        foreach (var round in new[] { 1, 2 })
        {
            var responses = await Task.WhenAll(urls.Select(u => gw.Client.GetAsync(u)));
            Assert.All(responses, r => Assert.Equal(System.Net.HttpStatusCode.OK, r.StatusCode));
            foreach (var r in responses)
            {
                var body = await r.Content.ReadAsByteArrayAsync();
                if (r.RequestMessage!.RequestUri!.AbsolutePath.EndsWith("big.ts", StringComparison.Ordinal))
                {
                    Assert.True(big.AsSpan().SequenceEqual(body), "a large segment arrived altered");
                }
                else
                {
                    Assert.Equal(1000, body.Length);
                }
                r.Dispose();
            }
        }

        var (origin2, gw2) = await StartAsync(("Gateway:Hosting:InlineIoScheduling", "false"));
        await using var origin2Scope = origin2;
        await using var gateway2Scope = gw2;
        Assert.False(gw2.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
    }

    [Fact]
    public void Bad_limits_stop_start_up_with_every_error_naming_its_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build([
            "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0",
            "--Kestrel:Limits:MaxRequestLineSize=10",
            "--Kestrel:Limits:MaxResponseBufferSize=-1",
            "--Kestrel:Limits:Http2:InitialStreamWindowSize=1000",
            "--Kestrel:Limits:MinRequestBodyDataRate:GracePeriod=00:00:00.1",
            "--Kestrel:Limits:MaxRequestHeaderCont=5",
            "--Gateway:Hosting:ShutdownTimeout=-00:00:01",
        ]));
        var all = string.Join("\n", ex.Failures);
        Assert.Contains("Kestrel:Limits:MaxRequestLineSize", all);
        Assert.Contains("Kestrel:Limits:MaxResponseBufferSize", all);
        Assert.Contains("Kestrel:Limits:Http2:InitialStreamWindowSize", all);
        Assert.Contains("Kestrel:Limits:MinRequestBodyDataRate:GracePeriod", all);
        Assert.Contains("MaxRequestHeaderCont", all); // a typo is reported, not ignored
        Assert.Contains("Gateway:Hosting:ShutdownTimeout", all);
    }
}
