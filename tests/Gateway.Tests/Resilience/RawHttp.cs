using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HlsGateway.Tests.Resilience;

/// <summary>Raw TCP exchanges with the gateway, for what HttpClient refuses to send (oversized, malformed or smuggling requests).</summary>
internal static class RawHttp
{
    public static int Port(string baseUrl) => new Uri(baseUrl).Port;

    public static async Task<Socket> ConnectAsync(int port, int? receiveBuffer = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer is int size)
        {
            socket.ReceiveBufferSize = size; // before connect, so the TCP window stays small
        }
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    /// <summary>Sends <paramref name="request"/> and reads until the server closes the connection (or <paramref name="timeout"/>).</summary>
    public static async Task<(string Text, bool ClosedByServer)> ExchangeAsync(int port, string request, TimeSpan timeout)
    {
        using var socket = await ConnectAsync(port);
        try
        {
            await socket.SendAsync(Encoding.Latin1.GetBytes(request), SocketFlags.None);
        }
        catch (SocketException)
        {
            // the server may close while we are still sending an oversized request; read what it answered
        }
        return await ReadToEndAsync(socket, timeout);
    }

    public static async Task<(string Text, bool ClosedByServer)> ReadToEndAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    return (Encoding.Latin1.GetString(received.ToArray()), true);
                }
                received.Write(buffer, 0, n);
            }
        }
        catch (SocketException)
        {
            return (Encoding.Latin1.GetString(received.ToArray()), true); // reset by the server
        }
        catch (OperationCanceledException)
        {
            return (Encoding.Latin1.GetString(received.ToArray()), false);
        }
    }

    /// <summary>Reads one response head (through the blank line) on a kept-alive connection.</summary>
    public static async Task<string> ReadHeadAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var sb = new StringBuilder();
        var one = new byte[1];
        while (!sb.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await socket.ReceiveAsync(one, SocketFlags.None, cts.Token);
            if (n == 0)
            {
                break;
            }
            sb.Append((char)one[0]);
        }
        return sb.ToString();
    }

    /// <summary>Status code of the first response in <paramref name="text"/>, or 0 when there is none.</summary>
    public static int Status(string text) =>
        text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && text.Length >= 12 && int.TryParse(text.AsSpan(9, 3), out var s) ? s : 0;

    /// <summary>How many HTTP responses <paramref name="text"/> holds (a smuggled request would add one).</summary>
    public static int ResponseCount(string text)
    {
        var count = 0;
        for (var i = text.IndexOf("HTTP/1.1 ", StringComparison.Ordinal); i >= 0; i = text.IndexOf("HTTP/1.1 ", i + 1, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    public static string Get(string path, string extraHeaders = "") => $"GET {path} HTTP/1.1\r\nHost: gw\r\n{extraHeaders}\r\n";
}
