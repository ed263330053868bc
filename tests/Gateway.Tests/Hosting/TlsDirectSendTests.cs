using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using HlsGateway.Hosting;
using Microsoft.AspNetCore.Connections;

namespace HlsGateway.Tests.Hosting;

/// <summary>
/// TlsDirectSend.SocketWriter on a real loopback socket pair: bytes arrive in write order whether they came through
/// WriteAsync (no copy) or GetMemory/Advance/FlushAsync (buffered); a flush cancelled while the socket buffer is full
/// reports IsCanceled and the next write still goes out; completing it completes the transport's output.
/// </summary>
public sealed class TlsDirectSendTests
{
    private static async Task<(Socket Server, Socket Client)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        return (await accept, client);
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            Assert.True(n > 0, $"connection closed after {read} of {count} bytes");
            read += n;
        }
        return buffer;
    }

    [Fact]
    public async Task Direct_and_buffered_writes_arrive_in_order()
    {
        var (server, client) = await PairAsync();
        using var _s = server;
        using var _c = client;
        var transport = new Pipe();
        var writer = new TlsDirectSend.SocketWriter(server, transport.Writer, new DefaultConnectionContext());

        var first = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        Assert.False((await writer.WriteAsync(first)).IsCanceled);
        "buffered"u8.CopyTo(writer.GetSpan(8));
        writer.Advance(8);
        await writer.FlushAsync();
        await writer.WriteAsync("tail"u8.ToArray());

        var got = await ReceiveExactlyAsync(client, first.Length + 12);
        Assert.Equal(first, got[..first.Length]);
        Assert.Equal("buffereddtail"u8.ToArray()[..8], got[first.Length..(first.Length + 8)]);
        Assert.Equal("tail"u8.ToArray(), got[^4..]);

        await writer.CompleteAsync();
        var read = await transport.Reader.ReadAsync();
        Assert.True(read.IsCompleted, "completing the writer must complete the transport output (the transport closes the socket)");
        Assert.True(read.Buffer.IsEmpty, "nothing may go through the transport pipe");
    }

    [Fact]
    public async Task A_cancelled_flush_on_a_full_socket_reports_canceled_and_the_next_write_goes_out()
    {
        var (server, client) = await PairAsync();
        using var _s = server;
        using var _c = client;
        server.SendBufferSize = 64 * 1024;
        client.ReceiveBufferSize = 64 * 1024;
        var writer = new TlsDirectSend.SocketWriter(server, new Pipe().Writer, new DefaultConnectionContext());

        // nobody reads: 64 MB cannot fit in the socket buffers, so this send waits
        var pending = writer.WriteAsync(new byte[64 * 1024 * 1024]).AsTask();
        await Task.Delay(200);
        Assert.False(pending.IsCompleted);
        writer.CancelPendingFlush();
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(result.IsCanceled);

        // drain what is queued, then a new write must still be delivered (the cancellation does not stick)
        client.ReceiveTimeout = 0;
        var drain = Task.Run(async () =>
        {
            var buffer = new byte[1 << 20];
            var marker = 0;
            while (true)
            {
                var n = await client.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    return false;
                }
                for (var i = 0; i < n; i++)
                {
                    marker = buffer[i] == 0xAB ? marker + 1 : 0;
                    if (marker == 16)
                    {
                        return true;
                    }
                }
            }
        });
        var marked = Enumerable.Repeat((byte)0xAB, 16).ToArray();
        Assert.False((await writer.WriteAsync(marked).AsTask().WaitAsync(TimeSpan.FromSeconds(10))).IsCanceled);
        Assert.True(await drain.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_peer_that_resets_fails_the_write_as_a_connection_reset_and_aborts_the_connection()
    {
        var (server, client) = await PairAsync();
        using var _s = server;
        var connection = new DefaultConnectionContext();
        var aborted = new TaskCompletionSource();
        connection.ConnectionClosed.Register(() => aborted.TrySetResult());
        var writer = new TlsDirectSend.SocketWriter(server, new Pipe().Writer, connection);
        client.LingerState = new LingerOption(true, 0); // close = RST
        client.Close();
        await Task.Delay(100);
        await Assert.ThrowsAsync<ConnectionResetException>(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await writer.WriteAsync(new byte[64 * 1024]);
            }
        });
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
