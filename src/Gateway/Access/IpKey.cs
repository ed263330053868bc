using System.Buffers.Binary;
using System.Net;

namespace HlsGateway.Access;

/// <summary>
/// Addresses as one 128-bit number: IPv6 as is, IPv4 as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so a
/// mapped client (dual-stack socket) and a plain IPv4 client fall into the same IPv4 ranges. No allocation.
/// </summary>
internal static class IpKey
{
    public static readonly UInt128 MappedPrefix = new(0, 0x0000_FFFF_0000_0000UL);

    public static UInt128 FromIPv4(uint v4) => MappedPrefix | v4;

    public static bool TryGet(IPAddress? address, out UInt128 key)
    {
        key = default;
        if (address is null)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            return false;
        }
        key = written == 4 ? FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(bytes)) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return true;
    }

    public static bool IsMappedV4(UInt128 key) => (key >> 32) == 0xFFFF;

    /// <summary>Parses an address literal (no prefix); IPv4 strictly as four decimal octets.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out UInt128 key)
    {
        key = default;
        if (text.Contains('/') || !Cidr.TryParse(text, out var cidr, out _))
        {
            return false;
        }
        key = cidr.First;
        return true;
    }
}
