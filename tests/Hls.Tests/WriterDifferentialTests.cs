using System.Buffers;
using System.Text;
using CsCheck;

namespace HlsGateway.Hls.Tests;

/// <summary>
/// The block-copying writer and the line-free inspector against the line-by-line reference (<see cref="ReferenceRewriter"/>,
/// <see cref="ReferenceInspect"/>) on random playlists built from every URI-carrying tag, every line break, blanks, BOMs,
/// NUL, U+2028/U+2029, other E2 characters and long lines: same bytes, same URIs with the same tags, in both modes and in slices.
/// </summary>
public sealed class WriterDifferentialTests
{
    private static readonly string[] Pieces =
    [
        "#EXTM3U", "#EXTINF:4,", "#EXT-X-MAP:URI=\"init.mp4\"", "#EXT-X-KEY:METHOD=AES-128,URI=\"k.bin\",IV=0x1",
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",URI=\"a/en.m3u8\"", "#EXT-X-PART:DURATION=1.0,URI=\"p.1.mp4\",INDEPENDENT=YES",
        "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p.2.mp4\"", "#EXT-X-RENDITION-REPORT:URI=\"../1M/x.m3u8\",LAST-MSN=1",
        "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"if.m3u8\"", "#EXT-X-SESSION-DATA:DATA-ID=\"d\",URI=\"d.json\"",
        "#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI=\"skd://k\"", "#EXT-X-CONTENT-STEERING:SERVER-URI=\"s.json\"",
        "#EXT-X-DATERANGE:ID=\"i\",X-ASSET-URI=\"ad.m3u8\",X-ASSET-LIST=\"l.json\"", "#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1,mp4a\"",
        "#EXT-X-PROGRAM-DATE-TIME:2026-12-07T00:00:00Z", "#EXT-X-TARGETDURATION:4", "#EXT-X-MEDIA-SEQUENCE:7", "#EXT-X-ENDLIST",
        "#EXT-X-PART-INF:PART-TARGET=1.0", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-FUTURE:URI=\"f\"", "#EXT-X-BAD:URI=\"unterminated",
        "#EXT-X-SPACED: URI = \"s\" ,B=1", "# comment", "seg1.ts", "http://h/x.ts", "a b.ts", "#EXT-X-ENDLIST extra",
        " ", "\t", "\n", "\n", "\n", "\r\n", "\r", "\u2028", "\u2029", "\u2014", "\uFEFF", "\0", "é", "\"", ",", "=", ":",
    ];

    private static readonly Gen<byte[]> Bodies = Gen.Frequency(
        (6, Gen.Int[0, Pieces.Length - 1].Array[0, 120].Select(ix => Encoding.UTF8.GetBytes(string.Concat(ix.Select(i => Pieces[i]))))),
        (1, Gen.Int[0, Pieces.Length - 1].Array[0, 20].Select(ix => Encoding.UTF8.GetBytes(
            "\uFEFF#EXTM3U\n" + string.Concat(ix.Select(i => Pieces[i] + new string('x', 300) + "\r\n"))))),
        (1, Gen.Byte.Array[0, 512]));

    [Fact]
    public void The_writer_matches_the_line_by_line_reference()
    {
        Bodies.Sample(body =>
        {
            foreach (var mode in new[] { M3u8WriteMode.Verbatim, M3u8WriteMode.Normalized })
            {
                var expected = new MappingMapper();
                var reference = new ArrayBufferWriter<byte>();
                ReferenceRewriter.Rewrite(body, 0, reference, ref expected, int.MaxValue, mode);
                var actual = new MappingMapper();
                var output = M3u8UriRewriter.RewriteAll(body, ref actual, mode);
                Assert.Equal(reference.WrittenSpan.ToArray(), output);
                Assert.Equal(expected.Uris, actual.Uris);

                foreach (var budget in new[] { 1, 13, 200 })
                {
                    var sliced = new ArrayBufferWriter<byte>();
                    var mapper = new MappingMapper();
                    var offset = 0;
                    while (offset < body.Length)
                    {
                        var next = M3u8UriRewriter.Rewrite(body, offset, sliced, ref mapper, budget, mode);
                        Assert.True(next > offset, "no progress");
                        offset = next;
                    }
                    Assert.Equal(output, sliced.WrittenSpan.ToArray());
                }
            }
            Assert.Equal(ReferenceInspect(body), PlaylistInspector.Inspect(body));
        }, iter: 3000);
    }

    [Fact]
    public void Lines_around_uri_lines_come_back_byte_identical_except_the_uris()
    {
        const string body = "\uFEFF#EXTM3U\r\n#EXT-X-VERSION:9\r#EXT-X-MAP:URI=\"i.mp4\"\u2028 # c \n\n#EXTINF:4, a\u2014b\r\n  s1.ts \r"
            + "#EXT-X-PART:DURATION=1,URI=\"p.mp4\"\u2029#EXT-X-KEY:METHOD=AES-128,URI=\"k\"\n#EXTINF:4,\ns2.ts";
        var (output, uris) = CollectingMapper.Run(body, map: u => "<" + u + ">");
        Assert.Equal(body.Replace("i.mp4", "<i.mp4>").Replace("s1.ts", "<s1.ts>").Replace("p.mp4", "<p.mp4>")
            .Replace("URI=\"k\"", "URI=\"<k>\"").Replace("s2.ts", "<s2.ts>"), output);
        Assert.Equal(["i.mp4", "s1.ts", "p.mp4", "k", "s2.ts"], uris.Select(u => u.Uri));
    }

    /// <summary>The inspector as it was on <see cref="M3u8LineReader"/>.</summary>
    private static PlaylistInfo ReferenceInspect(ReadOnlySpan<byte> body)
    {
        var reader = new M3u8LineReader(body);
        if (!reader.TryRead(out var first) || !first.Raw.StartsWith("#EXTM3U"u8))
        {
            return default;
        }
        bool master = false, endList = false;
        var type = PlaylistType.None;
        double target = 0, partTarget = 0;
        long sequence = 0, discontinuitySequence = 0;
        var segments = 0;
        while (reader.TryRead(out var line))
        {
            var tag = line.Tag;
            master |= HlsTags.IsMultivariantTag(tag);
            switch (tag)
            {
                case HlsTag.ExtInf: segments++; break;
                case HlsTag.EndList: endList = true; break;
                case HlsTag.PlaylistType:
                    var v = line.Value.Trim(" \t"u8);
                    type = v.SequenceEqual("VOD"u8) ? PlaylistType.Vod : v.SequenceEqual("EVENT"u8) ? PlaylistType.Event : PlaylistType.None;
                    break;
                case HlsTag.TargetDuration: target = PlaylistInspector.ParseDouble(line.Value); break;
                case HlsTag.MediaSequence: sequence = PlaylistInspector.ParseLong(line.Value); break;
                case HlsTag.DiscontinuitySequence: discontinuitySequence = PlaylistInspector.ParseLong(line.Value); break;
                case HlsTag.PartInf:
                    partTarget = AttributeListReader.TryGet(line.Value, "PART-TARGET"u8, out var pt) ? PlaylistInspector.ParseDouble(pt) : partTarget;
                    break;
            }
        }
        return new PlaylistInfo(master ? PlaylistKind.Multivariant : PlaylistKind.Media, endList, type, target, sequence,
            discontinuitySequence, partTarget, segments);
    }

    /// <summary>Changes every URI's length and drops EXT-X-CONTENT-STEERING, recording what it saw.</summary>
    private struct MappingMapper() : IUriMapper
    {
        public List<(HlsTag Tag, string TagName, string Uri)> Uris { get; } = [];

        public readonly bool KeepTag(in M3u8Line line) => line.Tag != HlsTag.ContentSteering;

        public readonly int WriteUri(ReadOnlySpan<byte> uri, HlsTag tag, ReadOnlySpan<byte> tagName, IBufferWriter<byte> output)
        {
            Uris.Add((tag, Encoding.UTF8.GetString(tagName), Encoding.UTF8.GetString(uri)));
            var bytes = Encoding.UTF8.GetBytes("/gw/" + Encoding.UTF8.GetString(uri) + "/");
            output.Write(bytes);
            return bytes.Length;
        }
    }
}
