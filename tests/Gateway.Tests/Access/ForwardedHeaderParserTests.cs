using HlsGateway.Access;
using Microsoft.Extensions.Primitives;

namespace HlsGateway.Tests.Access;

public sealed class ForwardedHeaderParserTests
{
    public static TheoryData<string, string, string?> Table() => new()
    {
        // name, Forwarded header value(s) ('|' separates header lines), expected X-Forwarded-For
        { "ipv4", "for=192.0.2.60", "192.0.2.60" },
        { "case-insensitive name, other params", "For=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60" },
        { "params in any order", "proto=https;for=192.0.2.60;host=example.com", "192.0.2.60" },
        { "quoted ipv4 with port", "for=\"192.0.2.60:8080\"", "192.0.2.60" },
        { "quoted ipv6 with port", "for=\"[2001:db8::1]:1234\"", "2001:db8::1" },
        { "quoted ipv6 without port", "for=\"[2001:db8:cafe::17]\"", "2001:db8:cafe::17" },
        { "mapped ipv6", "for=\"[::ffff:203.0.113.5]\"", "::ffff:203.0.113.5" },
        { "unquoted ipv6 is a syntax error", "for=[2001:db8::1]", "unknown" },
        { "bare ipv6 in quotes (no brackets) is not a node", "for=\"2001:db8::1\"", "unknown" },
        { "obfuscated identifier", "for=_hidden", "unknown" },
        { "obfuscated identifier quoted with obfuscated port", "for=\"_gazonk:_port1\"", "unknown" },
        { "ipv4 with obfuscated port", "for=\"198.51.100.17:_p\"", "198.51.100.17" },
        { "unknown", "for=unknown", "unknown" },
        { "hop without for", "proto=https", "unknown" },
        { "hops in order", "for=192.0.2.43, for=198.51.100.17", "192.0.2.43, 198.51.100.17" },
        { "hops across header lines", "for=192.0.2.43|for=198.51.100.17;proto=https", "192.0.2.43, 198.51.100.17" },
        { "obfuscated hop kept in place", "for=192.0.2.43, for=_hidden, for=198.51.100.17", "192.0.2.43, unknown, 198.51.100.17" },
        { "comma inside a quoted value does not split", "for=\"_a,b\", for=198.51.100.17", "unknown, 198.51.100.17" },
        { "ipv4 shorthand is not an address", "for=10.1", "unknown" },
        { "leading zeros are not an address", "for=010.0.0.1", "unknown" },
        { "port out of range", "for=\"192.0.2.60:70000\"", "unknown" },
        { "two for in one hop", "for=192.0.2.60;for=198.51.100.17", "unknown" },
        { "unterminated quote", "for=\"192.0.2.60", "unknown" },
        { "garbage after a hop stops there", "for=192.0.2.60 junk", "192.0.2.60, unknown" },
        { "empty", "", null },
        { "whitespace", "  ", null },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Forwarded_to_x_forwarded_for(string name, string header, string? expected)
    {
        _ = name;
        var values = new StringValues(header.Split('|'));
        Assert.Equal(expected, ForwardedHeaderParser.ToXForwardedFor(values));
    }
}
