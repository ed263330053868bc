namespace HlsGateway.PlayerLoad;

/// <summary>Just enough m3u8 parsing for a player: variants of a master, segments of a media playlist.</summary>
internal static class M3u8
{
    public readonly record struct Variant(long Bandwidth, string Uri);

    public readonly record struct Segment(long Sequence, double Duration, string Uri);

    public sealed record Media(double TargetDuration, bool Ended, List<Segment> Segments);

    public static List<Variant> ParseMaster(string text)
    {
        var variants = new List<Variant>();
        long? bandwidth = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal))
            {
                bandwidth = 0;
                var at = line.IndexOf("BANDWIDTH=", StringComparison.Ordinal);
                if (at >= 0)
                {
                    var digits = line.AsSpan(at + 10);
                    var end = digits.IndexOfAnyExceptInRange('0', '9');
                    bandwidth = long.Parse(end < 0 ? digits : digits[..end]);
                }
            }
            else if (bandwidth is { } bw && line.Length > 0 && line[0] != '#')
            {
                variants.Add(new Variant(bw, line));
                bandwidth = null;
            }
        }
        return variants;
    }

    public static Media ParseMedia(string text)
    {
        long sequence = 0;
        double target = 2;
        var ended = false;
        double? pending = null;
        var segments = new List<Segment>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("#EXT-X-MEDIA-SEQUENCE:", StringComparison.Ordinal))
            {
                sequence = long.Parse(line.AsSpan(22));
            }
            else if (line.StartsWith("#EXT-X-TARGETDURATION:", StringComparison.Ordinal))
            {
                target = double.Parse(line.AsSpan(22), System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-ENDLIST", StringComparison.Ordinal))
            {
                ended = true;
            }
            else if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                var value = line.AsSpan(8);
                var comma = value.IndexOf(',');
                pending = double.Parse(comma < 0 ? value : value[..comma], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                segments.Add(new Segment(sequence + segments.Count, pending ?? target, line));
                pending = null;
            }
        }
        return new Media(target, ended, segments);
    }
}
