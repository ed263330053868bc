using System.Net;
using HlsGateway.Access;

namespace HlsGateway.Tests.Access;

public sealed class CidrTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData(" 192.168.1.7 ", "192.168.1.7/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:DB8:0:0::/32", "2001:db8::/32")]
    [InlineData("::1", "::1/128")]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0/8")]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3/32")]
    [InlineData("::/0", "::/0")]
    public void Parses_to_canonical_form(string text, string canonical)
    {
        Assert.True(Cidr.TryParse(text, out var cidr, out var error), error);
        Assert.Equal(canonical, cidr.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]             // IPAddress.Parse would read 0.0.0.10
    [InlineData("10.1")]
    [InlineData("010.0.0.0/8")]    // octal-looking
    [InlineData("0x0a.0.0.0/8")]
    [InlineData("10.0.0.256")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/08")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.5/8")]     // host bits
    [InlineData("2001:db8::1/32")]
    [InlineData("fe80::1%eth0")]
    [InlineData("2001:db8::/129")]
    [InlineData("not an ip")]
    [InlineData("1.2.3.4/8/9")]
    public void Rejects_invalid_or_ambiguous(string text)
    {
        Assert.False(Cidr.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Set_matches_v4_v6_and_mapped_clients()
    {
        var set = CidrSet.Create(new[] { "10.0.0.0/8", "192.168.1.0/24", "192.168.2.0/24", "2001:db8::/32", "203.0.113.7" }.Select(Parse));
        Assert.Equal(4, set.RangeCount); // the two adjacent /24s merge
        Assert.True(set.Contains(IPAddress.Parse("10.255.255.255")));
        Assert.True(set.Contains(IPAddress.Parse("::ffff:10.1.2.3")));
        Assert.True(set.Contains(IPAddress.Parse("192.168.2.255")));
        Assert.True(set.Contains(IPAddress.Parse("203.0.113.7")));
        Assert.True(set.Contains(IPAddress.Parse("2001:db8:ffff::1")));
        Assert.False(set.Contains(IPAddress.Parse("11.0.0.0")));
        Assert.False(set.Contains(IPAddress.Parse("192.168.3.0")));
        Assert.False(set.Contains(IPAddress.Parse("203.0.113.8")));
        Assert.False(set.Contains(IPAddress.Parse("2001:db9::1")));
        Assert.False(set.Contains(IPAddress.Parse("::a00:1"))); // IPv4-compatible (not mapped) is not 10.0.0.1
        Assert.False(set.Contains((IPAddress?)null));
    }

    [Fact]
    public void Hundred_thousand_ranges_lookup_without_allocation()
    {
        var random = new Random(42);
        var cidrs = new List<Cidr>();
        for (var i = 0; i < 50_000; i++)
        {
            cidrs.Add(Parse($"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.0/24"));
            cidrs.Add(Parse($"2001:db8:{random.Next(65536):x}:{random.Next(65536):x}::/64"));
        }
        var set = CidrSet.Create(cidrs);
        var probes = Enumerable.Range(0, 1000).Select(i => IPAddress.Parse($"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}")).ToArray();
        var inside = IPAddress.Parse(cidrs[0].ToString().Split('/')[0]);
        Assert.True(set.Contains(inside));
        foreach (var p in probes)
        {
            set.Contains(p);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        var hits = 0;
        foreach (var p in probes)
        {
            hits += set.Contains(p) ? 1 : 0;
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        // cross-check against a linear scan
        foreach (var p in probes)
        {
            IpKey.TryGet(p, out var key);
            Assert.Equal(cidrs.Any(c => c.Contains(key)), set.Contains(p));
        }
    }

    private static Cidr Parse(string text) => Cidr.TryParse(text, out var c, out var e) ? c : throw new ArgumentException(e);
}
