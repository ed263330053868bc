using System.Text;
using HlsGateway.Hls;

namespace HlsGateway.PlayerLoad;

/// <summary>What a load player needs from a playlist (variants of a master, segments of a media playlist), read with the shared src/Hls reader.</summary>
internal static class M3u8
{
    public readonly record struct Variant(long Bandwidth, string Uri);

    public readonly record struct Segment(long Sequence, double Duration, string Uri);

    public sealed record Media(double TargetDuration, bool Ended, List<Segment> Segments);

    public static List<Variant> ParseMaster(string text)
    {
        var variants = new List<Variant>();
        long? bandwidth = null;
        var reader = new M3u8LineReader(Encoding.UTF8.GetBytes(text));
        while (reader.TryRead(out var line))
        {
            if (line.Kind == M3u8LineKind.Tag && line.Tag == HlsTag.StreamInf)
            {
                bandwidth = AttributeListReader.TryGet(line.Value, "BANDWIDTH"u8, out var bw) ? PlaylistInspector.ParseLong(bw) : 0;
            }
            else if (line.Kind == M3u8LineKind.Uri && bandwidth is { } b)
            {
                variants.Add(new Variant(b, Encoding.UTF8.GetString(line.Text)));
                bandwidth = null;
            }
        }
        return variants;
    }

    public static Media ParseMedia(string text)
    {
        var body = Encoding.UTF8.GetBytes(text);
        var info = PlaylistInspector.Inspect(body);
        var target = info.TargetDurationSeconds > 0 ? info.TargetDurationSeconds : 2;
        double? pending = null;
        var segments = new List<Segment>();
        var reader = new M3u8LineReader(body);
        while (reader.TryRead(out var line))
        {
            if (line.Kind == M3u8LineKind.Tag && line.Tag == HlsTag.ExtInf)
            {
                var value = line.Value;
                var comma = value.IndexOf((byte)',');
                pending = PlaylistInspector.ParseDouble(comma < 0 ? value : value[..comma]);
            }
            else if (line.Kind == M3u8LineKind.Uri)
            {
                segments.Add(new Segment(info.MediaSequence + segments.Count, pending ?? target, Encoding.UTF8.GetString(line.Text)));
                pending = null;
            }
        }
        return new Media(target, info.HasEndList, segments);
    }
}
