using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HlsGateway.Caching;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Resilience;

/// <summary>
/// Players that vanish mid-segment (RST or FIN) leak nothing: no connection stays open (Kestrel's
/// kestrel.active_connections returns to 0), no cache fill stays in flight, and the gateway keeps serving.
/// </summary>
public sealed class ClientDisconnectTests(ITestOutputHelper output)
{
    /// <summary>Kestrel's open-connection gauge for one gateway (its meters come from that host's IMeterFactory).</summary>
    private sealed class ActiveConnections : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _value;
        private long _peak;

        public ActiveConnections(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Microsoft.AspNetCore.Server.Kestrel" && instrument.Name == "kestrel.active_connections" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, delta, _, _) =>
            {
                var now = Interlocked.Add(ref _value, delta);
                long peak;
                while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
                {
                }
            });
            _listener.Start();
        }

        public long Value => Interlocked.Read(ref _value);

        /// <summary>Highest value seen: proves the gauge is really observed (a silent listener would read 0 throughout).</summary>
        public long Peak => Interlocked.Read(ref _peak);

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task Two_hundred_aborted_downloads_leak_no_connections_or_fills()
    {
        await using var origin = await TestOrigin.StartAsync();
        var big = Pattern(16 * 1024 * 1024, 1);     // > MaxEntryBytes: streamed through YARP
        var cached = Pattern(6 * 1024 * 1024, 2);   // cached, served from memory
        origin.Set("/live/big.ts", big);
        origin.Set("/live/cached.ts", cached);
        for (var i = 0; i < 20; i++)
        {
            origin.Set($"/live/fill{i}.ts", Pattern(100_000, 10 + i));
        }
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Cache:MaxEntryBytes"] = (8 * 1024 * 1024).ToString(),
        });
        var cache = gw.Services.GetRequiredService<HlsCache>();
        using var active = new ActiveConnections(gw.Services.GetRequiredService<IMeterFactory>());
        var port = RawHttp.Port(gw.BaseUrl);

        using (var warm = new HttpClient { BaseAddress = new Uri(gw.BaseUrl) })
        {
            Assert.Equal(cached, await warm.GetByteArrayAsync("/hls/o/live/cached.ts"));
        }
        await WaitForAsync(() => active.Value == 0, "the warm-up connection did not close");

        // 200 players: 90 abort a streamed segment, 90 a cached one, 20 while their miss is still being fetched.
        origin.FaultPathContains = "/fill";
        origin.Fault = OriginFault.Slow;
        origin.Delay = TimeSpan.FromSeconds(1);
        var aborted = 0;
        var sw = Stopwatch.StartNew();
        for (var batch = 0; batch < 10; batch++)
        {
            await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            {
                var n = batch * 20 + i;
                var path = n % 10 == 9 ? $"/hls/o/live/fill{batch}.ts" : n % 2 == 0 ? "/hls/o/live/big.ts" : "/hls/o/live/cached.ts";
                using var socket = await RawHttp.ConnectAsync(port, receiveBuffer: 8192);
                await socket.SendAsync(Encoding.ASCII.GetBytes(RawHttp.Get(path)), SocketFlags.None);
                if (!path.Contains("/fill", StringComparison.Ordinal))
                {
                    // read the head and a little of the body, so the gateway is mid-body when we vanish
                    var head = await RawHttp.ReadHeadAsync(socket, TimeSpan.FromSeconds(20));
                    Assert.Equal(200, RawHttp.Status(head));
                    var some = new byte[4096];
                    await socket.ReceiveAsync(some, SocketFlags.None);
                }
                else
                {
                    await Task.Delay(100); // the fill is in flight
                }
                if (n % 3 == 0)
                {
                    socket.Shutdown(SocketShutdown.Both); // FIN
                }
                else
                {
                    socket.LingerState = new LingerOption(true, 0); // RST
                }
                socket.Close();
                Interlocked.Increment(ref aborted);
            }));
        }
        Assert.Equal(200, aborted);
        Assert.True(active.Peak >= 10, $"the connection gauge peaked at {active.Peak}; is the Kestrel meter observed?");

        // Nothing left behind.
        await WaitForAsync(() => active.Value == 0, () => $"{active.Value} connections still open");
        await WaitForAsync(() => cache.InflightCount == 0, () => $"{cache.InflightCount} cache fills still in flight");
        output.WriteLine($"200 aborts in {sw.Elapsed.TotalSeconds:0.0} s; active connections {active.Value} (peak {active.Peak}), in-flight fills {cache.InflightCount}");

        // The gateway still serves, correct bytes, including the entries whose fill lost its player.
        origin.Fault = OriginFault.None;
        using (var check = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = new Uri(gw.BaseUrl), Timeout = TimeSpan.FromSeconds(30) })
        {
            Assert.Equal(cached, await check.GetByteArrayAsync("/hls/o/live/cached.ts"));
            Assert.Equal(big, await check.GetByteArrayAsync("/hls/o/live/big.ts"));
            using var r = await check.GetAsync("/hls/o/live/fill0.ts"); // two players abandoned this miss
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("HIT", r.Headers.GetValues("X-Cache").Single()); // the abandoned fill completed and was cached
            Assert.Equal(Pattern(100_000, 10), await r.Content.ReadAsByteArrayAsync());
        }
        await WaitForAsync(() => active.Value == 0, () => $"{active.Value} connections still open after the checks");
    }

    private static byte[] Pattern(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static Task WaitForAsync(Func<bool> condition, string message) => WaitForAsync(condition, () => message);

    private static async Task WaitForAsync(Func<bool> condition, Func<string> message)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), message());
            await Task.Delay(100);
        }
    }
}
