using System.Globalization;
using System.Text;

namespace HlsGateway.Recorder.Remux;

/// <summary>
/// Turns a part's subtitle track (its WebVTT segments concatenated as received) into one sidecar <c>.vtt</c> timed
/// to the part's MP4, which starts at zero where the part's first video frame is. Each segment's cue times are first
/// mapped to the media clock through its <c>X-TIMESTAMP-MAP=MPEGTS:…,LOCAL:…</c> (RFC 8216 3.5; without one, cue time 0
/// is MPEG-TS time 0), then the video's own start on that clock (ffprobe <c>start_time</c> of the raw part) is subtracted;
/// MPEG-TS's 33-bit wrap is undone. Cues repeated in consecutive segments (a cue spanning a boundary is listed in
/// both) are written once; cues wholly outside the part are dropped, one starting before it starts at 0.
/// </summary>
internal static class WebVttSidecar
{
    private const double Wrap = 8589934592d / 90000d; // 2^33 ticks of 90 kHz

    /// <summary>Writes the sidecar; returns how many cues it holds.</summary>
    public static async Task<int> WriteAsync(string rawFullPath, string sidecarFullPath, double? videoStartSeconds, double partSeconds, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(rawFullPath, cancellationToken).ConfigureAwait(false);
        var cues = Convert(text, videoStartSeconds, partSeconds);
        var sb = new StringBuilder("WEBVTT\n\n");
        foreach (var (start, end, settings, payload) in cues)
        {
            sb.Append(Format(start)).Append(" --> ").Append(Format(end));
            if (settings.Length > 0)
            {
                sb.Append(' ').Append(settings);
            }
            sb.Append('\n').Append(payload).Append("\n\n");
        }
        var temp = sidecarFullPath + ".tmp";
        await File.WriteAllTextAsync(temp, sb.ToString(), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        File.Move(temp, sidecarFullPath, overwrite: true);
        return cues.Count;
    }

    /// <summary>The cues of the concatenated segments on the part's timeline (seconds), in start order.</summary>
    internal static List<(double Start, double End, string Settings, string Text)> Convert(string concatenated, double? videoStartSeconds, double partSeconds)
    {
        var lines = concatenated.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').TrimStart('\uFEFF').Split('\n');
        var cues = new List<(double Start, double End, string Settings, string Text)>();
        var seen = new HashSet<(long, long, string)>();
        double offset = 0; // media clock seconds of cue time 0 in the current segment
        double? firstSegmentClock = null;
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i];
            if (line.TrimStart('\uFEFF').StartsWith("WEBVTT", StringComparison.Ordinal))
            {
                // a segment header: up to the first blank line
                offset = 0;
                for (i++; i < lines.Length && lines[i].Trim().Length > 0; i++)
                {
                    if (lines[i].StartsWith("X-TIMESTAMP-MAP=", StringComparison.Ordinal) && TryTimestampMap(lines[i]["X-TIMESTAMP-MAP=".Length..], out var map))
                    {
                        offset = map;
                    }
                }
                firstSegmentClock ??= offset;
                continue;
            }
            if (line.Trim().Length == 0)
            {
                i++;
                continue;
            }
            // a block: an optional id line, then the timing line, then the payload up to a blank line
            var block = new List<string>();
            for (; i < lines.Length && lines[i].Trim().Length > 0; i++)
            {
                block.Add(lines[i]);
            }
            var timing = block.FindIndex(l => l.Contains("-->", StringComparison.Ordinal));
            if (timing < 0 || timing > 1 || block[0].StartsWith("NOTE", StringComparison.Ordinal))
            {
                continue; // NOTE, STYLE, REGION or garbage
            }
            var parts = block[timing].Split("-->", 2);
            var right = parts[1].Trim();
            var space = right.IndexOfAny([' ', '\t']);
            if (!TryTime(parts[0].Trim(), out var cueStart) || !TryTime(space < 0 ? right : right[..space], out var cueEnd))
            {
                continue;
            }
            var settings = space < 0 ? string.Empty : right[(space + 1)..].Trim();
            var payload = string.Join('\n', block.Skip(timing + 1));
            var zero = videoStartSeconds ?? firstSegmentClock ?? 0;
            var start = Unwrap(cueStart + offset - zero);
            var end = start + (cueEnd - cueStart);
            if (end <= 0 || start >= partSeconds || end <= start)
            {
                continue;
            }
            start = Math.Max(0, start);
            if (seen.Add(((long)Math.Round(start * 1000), (long)Math.Round(end * 1000), payload)))
            {
                cues.Add((start, end, settings, payload));
            }
        }
        cues.Sort((a, b) => a.Start.CompareTo(b.Start));
        return cues;
    }

    /// <summary><c>MPEGTS:900000,LOCAL:00:00:00.000</c> (either order) → the media clock seconds of cue time 0.</summary>
    private static bool TryTimestampMap(string value, out double clockAtZero)
    {
        clockAtZero = 0;
        double? mpegts = null, local = null;
        foreach (var item in value.Split(',', StringSplitOptions.TrimEntries))
        {
            if (item.StartsWith("MPEGTS:", StringComparison.Ordinal) && long.TryParse(item.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                mpegts = ticks / 90000d;
            }
            else if (item.StartsWith("LOCAL:", StringComparison.Ordinal) && TryTime(item[6..], out var l))
            {
                local = l;
            }
        }
        if (mpegts is null)
        {
            return false;
        }
        clockAtZero = mpegts.Value - (local ?? 0);
        return true;
    }

    /// <summary>A WebVTT timestamp: <c>hh:mm:ss.ttt</c> or <c>mm:ss.ttt</c>.</summary>
    internal static bool TryTime(string value, out double seconds)
    {
        seconds = 0;
        var fields = value.Split(':');
        if (fields.Length is < 2 or > 3)
        {
            return false;
        }
        double total = 0;
        for (var f = 0; f < fields.Length - 1; f++)
        {
            if (!int.TryParse(fields[f], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }
            total = (total * 60) + n;
        }
        if (!double.TryParse(fields[^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s))
        {
            return false;
        }
        seconds = (total * 60) + s;
        return true;
    }

    private static double Unwrap(double seconds) => seconds > Wrap / 2 ? seconds - Wrap : seconds < -Wrap / 2 ? seconds + Wrap : seconds;

    private static string Format(double seconds)
    {
        var ms = (long)Math.Round(seconds * 1000);
        return string.Create(CultureInfo.InvariantCulture, $"{ms / 3_600_000:00}:{ms / 60_000 % 60:00}:{ms / 1000 % 60:00}.{ms % 1000:000}");
    }
}
