using System.Net.Sockets;
using System.Text;

namespace HlsGateway.Tests.Resilience;

/// <summary>
/// Error answers must not throw after the response has started (that used to happen when headers were
/// set after ProblemWriter wrote the body): the headers are there and the kept-alive connection survives.
/// </summary>
public sealed class ErrorResponseTests
{
    [Fact]
    public async Task Cached_404_and_416_problems_keep_their_headers_and_the_connection()
    {
        var (origin, gw) = await KestrelLimitsTests.StartAsync();
        await using var originScope = origin;
        await using var gatewayScope = gw;
        using var socket = await RawHttp.ConnectAsync(RawHttp.Port(gw.BaseUrl));

        async Task<string> RoundTripAsync(string request)
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None);
            var head = await RawHttp.ReadHeadAsync(socket, TimeSpan.FromSeconds(15));
            var length = int.Parse(head.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim());
            var body = new byte[length];
            var read = 0;
            while (read < length)
            {
                var n = await socket.ReceiveAsync(body.AsMemory(read), SocketFlags.None);
                Assert.NotEqual(0, n); // closed mid-response
                read += n;
            }
            return head;
        }

        var miss = await RoundTripAsync(RawHttp.Get("/hls/o/live/missing.ts"));
        Assert.Equal(404, RawHttp.Status(miss));
        Assert.Contains("X-Cache: MISS", miss);
        var hit = await RoundTripAsync(RawHttp.Get("/hls/o/live/missing.ts"));
        Assert.Equal(404, RawHttp.Status(hit));
        Assert.Contains("X-Cache: HIT", hit);

        var range = await RoundTripAsync(RawHttp.Get("/hls/o/live/seg.ts", "Range: bytes=5000-6000\r\n"));
        Assert.Equal(416, RawHttp.Status(range));
        Assert.Contains("Content-Range: bytes */1000", range);

        // same connection, still good
        Assert.Equal(200, RawHttp.Status(await RoundTripAsync(RawHttp.Get("/hls/o/live/seg.ts"))));
    }
}
