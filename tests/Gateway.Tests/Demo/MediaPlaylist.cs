using System.Globalization;

namespace HlsGateway.Tests.Demo;

/// <summary>Just enough of an m3u8 media playlist reader for the demo tests.</summary>
internal sealed class MediaPlaylist
{
    public required string[] Lines { get; init; }

    public required List<Segment> Segments { get; init; }

    public long MediaSequence => long.Parse(Tag("#EXT-X-MEDIA-SEQUENCE") ?? "0", CultureInfo.InvariantCulture);

    public string? Tag(string name) =>
        Lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..];

    public static MediaPlaylist Parse(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("#EXTM3U", lines[0]);
        var segments = new List<Segment>();
        var number = long.Parse(lines.FirstOrDefault(l => l.StartsWith("#EXT-X-MEDIA-SEQUENCE:", StringComparison.Ordinal))?[22..] ?? "0", CultureInfo.InvariantCulture);
        bool discontinuity = false;
        DateTimeOffset? pdt = null;
        string? duration = null;
        foreach (var line in lines)
        {
            if (line == "#EXT-X-DISCONTINUITY")
            {
                discontinuity = true;
            }
            else if (line.StartsWith("#EXT-X-PROGRAM-DATE-TIME:", StringComparison.Ordinal))
            {
                pdt = DateTimeOffset.Parse(line[25..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                duration = line[8..].TrimEnd(',');
            }
            else if (!line.StartsWith('#'))
            {
                segments.Add(new Segment(number++, line, duration!, pdt, discontinuity));
                discontinuity = false;
                pdt = null;
                duration = null;
            }
        }
        return new MediaPlaylist { Lines = lines, Segments = segments };
    }

    internal sealed record Segment(long Number, string Uri, string Duration, DateTimeOffset? ProgramDateTime, bool Discontinuity);
}
