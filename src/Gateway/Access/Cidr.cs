using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace HlsGateway.Access;

/// <summary>
/// One address range, held as an inclusive [First, Last] pair in <see cref="IpKey"/> space. IPv4 ranges,
/// and IPv4-mapped IPv6 ranges (<c>::ffff:10.0.0.0/104</c>), both become the same mapped range.
/// </summary>
internal readonly record struct Cidr(UInt128 First, UInt128 Last, int PrefixLength, bool IsV4)
{
    /// <summary>The canonical text (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>), the key admin entries are stored under.</summary>
    public override string ToString()
    {
        if (IsV4)
        {
            var v4 = (uint)(First & uint.MaxValue);
            return $"{v4 >> 24}.{(v4 >> 16) & 255}.{(v4 >> 8) & 255}.{v4 & 255}/{PrefixLength}";
        }
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, First);
        return $"{new IPAddress(bytes)}/{PrefixLength}";
    }

    public bool Contains(UInt128 key) => key >= First && key <= Last;

    /// <summary>Parses <c>addr/prefix</c> or a single address. Strict: no host bits, no IPv4 shorthand, no zone ids.</summary>
    public static bool TryParse(string? text, out Cidr cidr, out string error) => TryParse((text ?? string.Empty).AsSpan(), out cidr, out error);

    public static bool TryParse(ReadOnlySpan<char> text, out Cidr cidr, out string error)
    {
        cidr = default;
        var span = text.Trim();
        if (span.IsEmpty)
        {
            error = "empty; expected a CIDR such as 10.0.0.0/8 or 2001:db8::/32";
            return false;
        }
        if (span.Length > 64)
        {
            error = "too long for a CIDR";
            return false;
        }
        var slash = span.IndexOf('/');
        var addressText = slash < 0 ? span : span[..slash];
        var isV6 = addressText.Contains(':');
        if (addressText.Contains('%'))
        {
            error = $"'{span}' has a zone id; zone ids are not allowed";
            return false;
        }
        UInt128 address;
        if (isV6)
        {
            if (!IPAddress.TryParse(addressText, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{span}' is not a valid IPv6 address or CIDR";
                return false;
            }
            IpKey.TryGet(ip, out address);
        }
        else if (TryParseV4(addressText, out var v4))
        {
            address = IpKey.FromIPv4(v4);
        }
        else
        {
            error = $"'{span}' is not a valid IPv4 address or CIDR (expected four decimal octets, e.g. 10.0.0.0/8)";
            return false;
        }

        var max = isV6 ? 128 : 32;
        var prefix = max;
        if (slash >= 0)
        {
            var p = span[(slash + 1)..];
            if (p.IsEmpty || p.Length > 3 || !IsDigits(p) || (p.Length > 1 && p[0] == '0') || !int.TryParse(p, out prefix) || prefix > max)
            {
                error = $"'{span}' has an invalid prefix length (0-{max})";
                return false;
            }
        }
        // mapped IPv6 ranges are IPv4 ranges in disguise
        var v4Range = !isV6 || (IpKey.IsMappedV4(address) && prefix >= 96);
        var bits = isV6 ? prefix : prefix + 96;
        var hostMask = bits == 128 ? UInt128.Zero : UInt128.MaxValue >> bits;
        if ((address & hostMask) != 0)
        {
            var network = new Cidr(address & ~hostMask, (address & ~hostMask) | hostMask, v4Range ? bits - 96 : bits, v4Range);
            error = $"'{span}' has host bits set (did you mean {network}?)";
            return false;
        }
        cidr = new Cidr(address, address | hostMask, v4Range ? bits - 96 : bits, v4Range);
        error = string.Empty;
        return true;
    }

    private static bool TryParseV4(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        var parts = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (++parts > 4 || part.IsEmpty || part.Length > 3 || !IsDigits(part) || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }
            var octet = int.Parse(part, provider: System.Globalization.CultureInfo.InvariantCulture);
            if (octet > 255)
            {
                return false;
            }
            value = (value << 8) | (uint)octet;
        }
        return parts == 4;
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
