using System.Text;

namespace HlsGateway.Hls.Tests;

public sealed class AttributeListReaderTests
{
    private static List<(string Name, string Value, bool Quoted)> Read(string list, out bool unterminated)
    {
        var bytes = Encoding.UTF8.GetBytes(list);
        var reader = new AttributeListReader(bytes);
        var result = new List<(string, string, bool)>();
        while (reader.TryRead(out var a))
        {
            result.Add((Encoding.UTF8.GetString(a.Name), a.ValueText(), a.IsQuoted));
            Assert.Equal(a.ValueText(), Encoding.UTF8.GetString(bytes.AsSpan(a.ValueStart, a.Value.Length)));
        }
        unterminated = reader.Unterminated;
        return result;
    }

    [Fact]
    public void Quoted_values_keep_commas_and_equals()
    {
        var a = Read("METHOD=AES-128,URI=\"k?a=1,b=2\",IV=0x0F", out var bad);
        Assert.False(bad);
        Assert.Equal([("METHOD", "AES-128", false), ("URI", "k?a=1,b=2", true), ("IV", "0x0F", false)], a);
    }

    [Fact]
    public void Resolution_and_decimal_values_are_plain()
    {
        var a = Read("BANDWIDTH=800000,RESOLUTION=640x360,FRAME-RATE=29.970", out _);
        Assert.Equal("640x360", a[1].Value);
        Assert.Equal("29.970", a[2].Value);
    }

    [Fact]
    public void An_unterminated_quote_ends_the_list_and_says_so()
    {
        var a = Read("TYPE=AUDIO,URI=\"http://elsewhere/x.m3u8,NAME=x", out var bad);
        Assert.True(bad);
        Assert.Equal([("TYPE", "AUDIO", false)], a);
    }

    [Fact]
    public void Junk_after_a_quoted_value_is_skipped_to_the_next_comma()
    {
        var a = Read("URI=\"a.ts\"junk=1,NAME=\"n\"", out _);
        Assert.Equal([("URI", "a.ts", true), ("NAME", "n", true)], a);
    }

    [Fact]
    public void Spaces_around_names_and_plain_values_are_trimmed()
    {
        var a = Read(" DEFAULT = YES , AUTOSELECT=NO", out _);
        Assert.Equal([("DEFAULT", "YES", false), ("AUTOSELECT", "NO", false)], a);
    }

    [Fact]
    public void Empty_names_and_missing_equals_are_ignored()
    {
        Assert.Empty(Read("=x,,novalue", out _));
        Assert.True(AttributeListReader.TryGet("A=1,B=\"2\""u8, "B"u8, out var b));
        Assert.Equal("2"u8.ToArray(), b.ToArray());
        Assert.False(AttributeListReader.TryGet("A=1"u8, "a"u8, out _)); // names are case-sensitive
    }
}
