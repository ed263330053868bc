using System.Buffers.Text;

namespace HlsGateway.Hls;

/// <summary>
/// One forward pass over a playlist body (bytes, no string per line) that tells master vs media, live vs VOD,
/// EXT-X-TARGETDURATION, the sequence numbers and LL-HLS part target. Cheap enough for every cache fill.
/// </summary>
public static class PlaylistInspector
{
    public static PlaylistInfo Inspect(ReadOnlySpan<byte> body)
    {
        // The lines of M3u8LineReader, without building an M3u8Line: only tag names and a few values are read here.
        var offset = body.StartsWith(M3u8LineReader.Utf8Bom) ? M3u8LineReader.Utf8Bom.Length : 0;
        var rest = body[offset..];
        var end = M3u8LineReader.NextLineBreak(rest, out var breakLength);
        // RFC 8216 §4.3.1.1: the first line must be #EXTM3U (after a BOM).
        if (rest.IsEmpty || !rest[..end].StartsWith("#EXTM3U"u8))
        {
            return default;
        }
        offset += end + breakLength;
        bool master = false, endList = false;
        var type = PlaylistType.None;
        double target = 0, partTarget = 0;
        long sequence = 0, discontinuitySequence = 0;
        var segments = 0;
        while (offset < body.Length)
        {
            rest = body[offset..];
            end = M3u8LineReader.NextLineBreak(rest, out breakLength);
            offset += end + breakLength;
            var text = Blanks.Trim(rest[..end]);
            // a tag line starts with #EXT (M3u8Line); every name Identify knows is at least 7 bytes (#EXTINF)
            if (text.Length < 7 || !text.StartsWith("#EXT"u8))
            {
                continue;
            }
            var colon = text.IndexOf((byte)':');
            var tag = HlsTags.Identify(colon < 0 ? text : text[..colon]);
            var value = colon < 0 ? default : text[(colon + 1)..];
            if (HlsTags.IsMultivariantTag(tag))
            {
                master = true;
                continue;
            }
            switch (tag)
            {
                case HlsTag.ExtInf:
                    segments++;
                    break;
                case HlsTag.EndList:
                    endList = true;
                    break;
                case HlsTag.PlaylistType:
                    type = Blanks.Trim(value) switch
                    {
                        var v when v.SequenceEqual("VOD"u8) => PlaylistType.Vod,
                        var v when v.SequenceEqual("EVENT"u8) => PlaylistType.Event,
                        _ => PlaylistType.None,
                    };
                    break;
                case HlsTag.TargetDuration:
                    target = ParseDouble(value);
                    break;
                case HlsTag.MediaSequence:
                    sequence = ParseLong(value);
                    break;
                case HlsTag.DiscontinuitySequence:
                    discontinuitySequence = ParseLong(value);
                    break;
                case HlsTag.PartInf:
                    if (AttributeListReader.TryGet(value, "PART-TARGET"u8, out var pt))
                    {
                        partTarget = ParseDouble(pt);
                    }
                    break;
            }
        }
        return new PlaylistInfo(master ? PlaylistKind.Multivariant : PlaylistKind.Media, endList, type, target, sequence,
            discontinuitySequence, partTarget, segments);
    }

    /// <summary>A decimal-floating-point value (§4.2); 0 when it is not one or not finite.</summary>
    public static double ParseDouble(ReadOnlySpan<byte> value)
    {
        value = Blanks.Trim(value);
        return Utf8Parser.TryParse(value, out double d, out var consumed) && consumed == value.Length && double.IsFinite(d) ? d : 0;
    }

    /// <summary>A decimal-integer (§4.2, 0 to 2^64-1; we stop at long); 0 when it is not one.</summary>
    public static long ParseLong(ReadOnlySpan<byte> value)
    {
        value = Blanks.Trim(value);
        return Utf8Parser.TryParse(value, out long n, out var consumed) && consumed == value.Length && n >= 0 ? n : 0;
    }
}
