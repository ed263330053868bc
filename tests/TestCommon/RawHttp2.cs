using System.Buffers.Binary;
using System.Text;

namespace HlsGateway.Tests.Common;

/// <summary>
/// Just enough HTTP/2 framing for tests that must control what a client does on the wire (which frames, when, and
/// when it stops reading): HttpClient always drains its socket and manages windows itself.
/// </summary>
public static class RawHttp2
{
    public static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8;

    /// <summary>GET request headers in HPACK without Huffman or the dynamic table.</summary>
    public static byte[] HeaderBlock(string path, string authority, bool https = false)
    {
        var block = new List<byte> { 0x82, https ? (byte)0x87 : (byte)0x86 }; // :method GET, :scheme https | http
        Literal(block, 4, path);      // :path
        Literal(block, 1, authority); // :authority
        return block.ToArray();

        static void Literal(List<byte> block, byte nameIndex, string value)
        {
            block.Add(nameIndex); // literal without indexing, indexed name
            var bytes = Encoding.ASCII.GetBytes(value);
            if (bytes.Length >= 127)
            {
                throw new ArgumentException("keep test header values short", nameof(value));
            }
            block.Add((byte)bytes.Length);
            block.AddRange(bytes);
        }
    }

    /// <summary>A SETTINGS payload from (identifier, value) pairs.</summary>
    public static byte[] SettingsPayload(params (ushort Id, uint Value)[] settings)
    {
        var payload = new byte[6 * settings.Length];
        for (var i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(6 * i), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(6 * i + 2), settings[i].Value);
        }
        return payload;
    }

    /// <summary>A WINDOW_UPDATE payload.</summary>
    public static byte[] WindowIncrement(uint increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, increment & 0x7fffffff);
        return payload;
    }

    public static async Task WriteFrameAsync(Stream stream, byte type, byte flags, int streamId, byte[] payload, CancellationToken ct)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame, 9);
        await stream.WriteAsync(frame, ct);
    }

    public static async Task<(byte Type, byte Flags, int StreamId, byte[] Payload)> ReadFrameAsync(Stream stream, CancellationToken ct)
    {
        var head = new byte[9];
        await stream.ReadExactlyAsync(head, ct);
        var length = (head[0] << 16) | (head[1] << 8) | head[2];
        var payload = new byte[length];
        await stream.ReadExactlyAsync(payload, ct);
        return (head[3], head[4], BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(5)) & 0x7fffffff, payload);
    }
}
