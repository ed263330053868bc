using System.Globalization;
using System.Text;

namespace HlsGateway.Recorder.Dvr;

/// <summary>
/// Append-only index of the recorded segments of one recording (<c>&lt;root&gt;/.recorder/&lt;name&gt;.segments</c>), one
/// line per segment: <c>part offset length duration wallUnixMs initLength</c>. Written after the segment's bytes are
/// flushed and before the sidecar acknowledges them, so an entry may point past a crashed part's acknowledged bytes:
/// readers drop entries beyond <see cref="Pipeline.PartInfo.Bytes"/>. Small (≈ 40 bytes a segment) and read on each
/// DVR playlist request.
/// </summary>
internal static class DvrSegmentIndex
{
    public static string PathFor(string root, string name) => Path.Combine(Path.GetFullPath(root), ".recorder", name + ".segments");

    public static void Append(string path, DvrSegment s)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{s.Part} {s.Offset} {s.Length} {s.Duration:R} {s.Wall.ToUnixTimeMilliseconds()} {s.InitLength}\n");
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
            if (f.Length == 6
                && int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var part)
                && long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                && long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                && double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var duration)
                && long.TryParse(f[4], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var wall)
                && long.TryParse(f[5], NumberStyles.None, CultureInfo.InvariantCulture, out var init))
            {
                result.Add(new DvrSegment(part, offset, length, duration, DateTimeOffset.FromUnixTimeMilliseconds(wall), init));
            }
        }
        return result;
    }
}
