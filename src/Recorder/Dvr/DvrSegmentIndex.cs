using System.Globalization;
using System.Text;

namespace HlsGateway.Recorder.Dvr;

/// <summary>
/// Append-only index of the recorded segments of one recording (<c>&lt;root&gt;/.recorder/&lt;name&gt;.segments</c>), one
/// line per segment: <c>part offset length duration wallUnixMs initLength</c> for the video, with a seventh field
/// <c>trackId</c> for a rendition's segment in the part's track file (lines of six fields, written before renditions
/// were indexed, stay video). Written after the segment's bytes are flushed and before the sidecar acknowledges them,
/// so an entry may point past a crashed part's (or track's) acknowledged bytes: readers drop entries beyond
/// <see cref="Pipeline.PartInfo.Bytes"/> / <see cref="Pipeline.TrackInfo.Bytes"/>. Small (≈ 40 bytes a segment) and
/// read on each DVR playlist request.
/// </summary>
internal static class DvrSegmentIndex
{
    public static string PathFor(string root, string name) => Path.Combine(Path.GetFullPath(root), ".recorder", name + ".segments");

    public static void Append(string path, DvrSegment s)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{s.Part} {s.Offset} {s.Length} {s.Duration:R} {s.Wall.ToUnixTimeMilliseconds()} {s.InitLength}")
            + (s.Track is null ? "\n" : " " + s.Track + "\n");
        using var fs = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 0, FileOptions.None);
        fs.Write(Encoding.ASCII.GetBytes(line));
    }

    public static async Task<List<DvrSegment>> ReadAsync(string path, CancellationToken ct)
    {
        var result = new List<DvrSegment>();
        if (!File.Exists(path))
        {
            return result;
        }
        string text;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous))
        using (var reader = new StreamReader(fs, Encoding.ASCII))
        {
            text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        }
        foreach (var line in text.Split('\n'))
        {
            var f = line.Split(' ');
            if (f.Length is 6 or 7
                && int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var part)
                && long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                && long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                && double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var duration)
                && long.TryParse(f[4], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var wall)
                && long.TryParse(f[5], NumberStyles.None, CultureInfo.InvariantCulture, out var init)
                && (f.Length == 6 || IsTrackId(f[6])))
            {
                result.Add(new DvrSegment(part, offset, length, duration, DateTimeOffset.FromUnixTimeMilliseconds(wall), init, f.Length == 7 ? f[6] : null));
            }
        }
        return result;
    }

    /// <summary>Track ids are <c>[a-z0-9-]</c> (RenditionSet.Tag); anything else is a torn line.</summary>
    private static bool IsTrackId(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}
