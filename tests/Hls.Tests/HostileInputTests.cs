using System.Buffers;
using System.Text;
using CsCheck;

namespace HlsGateway.Hls.Tests;

/// <summary>
/// Hostile bodies (huge lines, unterminated quotes, NUL, BOMs, random bytes). The properties: nothing throws, the
/// verbatim writer with unchanged URIs reproduces the input byte for byte, and the work is bounded — each mapper call
/// consumes at least one input byte, and the inputs are capped in size and count so a quadratic path would show as a
/// hang (blame-hang timeout), not as a slow pass.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly string[] Pieces =
    [
        "#EXTM3U", "#EXT-X-", "#EXTINF:", "URI=\"", "\"", ",", "=", "\n", "\r", "\r\n", "\u2028", "\uFEFF", "\0", " ", "\t",
        "MAP:", "KEY:", "PART:", "MEDIA:", "STREAM-INF:", "a.ts", "http://x/y", "#", "TARGETDURATION:", "1e308", "-1", "é", "\u00E2\u0080",
    ];

    private static readonly Gen<byte[]> Bodies = Gen.OneOf(
        Gen.Byte.Array[0, 4096],
        Gen.Int[0, Pieces.Length - 1].Array[0, 400].Select(ix => Encoding.UTF8.GetBytes(string.Concat(ix.Select(i => Pieces[i])))));

    [Fact]
    public void Random_and_mutated_bodies_never_throw_and_round_trip_verbatim()
    {
        Bodies.Sample(body =>
        {
            _ = PlaylistInspector.Inspect(body);
            var mapper = new CountingMapper();
            var output = M3u8UriRewriter.RewriteAll(body, ref mapper, M3u8WriteMode.Verbatim);
            Assert.Equal(body, output);
            Assert.True(mapper.Calls <= body.Length);
            var normalized = new CountingMapper();
            var n = M3u8UriRewriter.RewriteAll(body, ref normalized, M3u8WriteMode.Normalized);
            Assert.True(n.Length <= body.Length + body.Length + 1); // at most one LF per input byte
        }, iter: 3000);
    }

    [Fact]
    public void A_16_MiB_line_without_a_break_is_one_uri()
    {
        var body = new byte[16 << 20];
        body.AsSpan().Fill((byte)'a');
        "#EXTM3U\n"u8.CopyTo(body);
        var mapper = new CountingMapper();
        var output = M3u8UriRewriter.RewriteAll(body, ref mapper, M3u8WriteMode.Verbatim);
        Assert.Equal(1, mapper.Calls);
        Assert.Equal(body.Length, output.Length);
        Assert.True(PlaylistInspector.Inspect(body).IsValid);
    }

    [Fact]
    public void A_huge_attribute_list_of_unterminated_quotes_is_read_once()
    {
        var line = "#EXT-X-MEDIA:" + string.Concat(Enumerable.Repeat("A=\"x,", 200_001));
        var body = Encoding.UTF8.GetBytes("#EXTM3U\n" + line + "\n");
        var mapper = new CountingMapper();
        Assert.Equal(body, M3u8UriRewriter.RewriteAll(body, ref mapper, M3u8WriteMode.Verbatim));
        var reader = new AttributeListReader(Encoding.UTF8.GetBytes(line[13..]));
        var count = 0;
        while (reader.TryRead(out _))
        {
            count++;
        }
        Assert.Equal(100_000, count); // pairs read as A="x,A=" (a quoted value holds commas), then one unterminated quote
        Assert.True(reader.Unterminated);
    }

    [Fact]
    public void Nul_bytes_and_a_bom_in_the_middle_are_kept_and_not_line_breaks()
    {
        var body = Encoding.UTF8.GetBytes("#EXTM3U\n#EXTINF:4,\0\nseg\0.ts\n\uFEFF#EXT-X-ENDLIST\n");
        var uris = CollectingMapper.Run(Encoding.UTF8.GetString(body)).Uris;
        Assert.Equal(["seg\0.ts", "\uFEFF#EXT-X-ENDLIST"], uris.Select(u => u.Uri)); // a BOM not at the start makes a URI line, as players see it
        Assert.False(PlaylistInspector.Inspect(body).IsEndList);
    }

    private struct CountingMapper : IUriMapper
    {
        public int Calls;

        public readonly bool KeepTag(in M3u8Line line) => true;

        public int WriteUri(ReadOnlySpan<byte> uri, HlsTag tag, ReadOnlySpan<byte> tagName, IBufferWriter<byte> output)
        {
            Calls++;
            output.Write(uri);
            return uri.Length;
        }
    }
}
