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
        var reader = new M3u8LineReader(body);
        // RFC 8216 §4.3.1.1: the first line must be #EXTM3U (a BOM is skipped by the reader).
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
            if (line.Kind != M3u8LineKind.Tag)
            {
                continue;
            }
            var tag = line.Tag;
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
                    type = Blanks.Trim(line.Value) switch
                    {
                        var v when v.SequenceEqual("VOD"u8) => PlaylistType.Vod,
                        var v when v.SequenceEqual("EVENT"u8) => PlaylistType.Event,
                        _ => PlaylistType.None,
                    };
                    break;
                case HlsTag.TargetDuration:
                    target = ParseDouble(line.Value);
                    break;
                case HlsTag.MediaSequence:
                    sequence = ParseLong(line.Value);
                    break;
                case HlsTag.DiscontinuitySequence:
                    discontinuitySequence = ParseLong(line.Value);
                    break;
                case HlsTag.PartInf:
                    if (AttributeListReader.TryGet(line.Value, "PART-TARGET"u8, out var pt))
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
