using System.Net.Sockets;

namespace HlsGateway.Tests.Common;

/// <summary>
/// A <see cref="SocketsHttpHandler.ConnectCallback"/> whose socket has a fixed receive buffer: loopback autotuning
/// would otherwise grow it until a whole large response fits, and the server would never see a slow reader.
/// </summary>
public static class SlowSocket
{
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(int receiveBufferBytes = 64 * 1024) =>
        async (context, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = receiveBufferBytes, NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
