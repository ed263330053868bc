using System.Globalization;
using System.Text;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Storage;

namespace HlsGateway.Recorder.Dvr;

/// <summary>
/// Writes the DVR / startover media playlist of a recording from its segment index: each recorded segment is an
/// EXT-X-BYTERANGE of its raw part file (<c>&lt;part&gt;.ts</c> / <c>&lt;part&gt;.m4s</c>, an fMP4 part's init section an
/// EXT-X-MAP byte range), with its EXT-X-PROGRAM-DATE-TIME, and EXT-X-DISCONTINUITY between parts (a part boundary is
/// where the timeline may jump: gap, discontinuity, reset, new init). Media and discontinuity sequence numbers count
/// from the recording's first segment, so they stay stable while the playlist grows or retention drops its start.
/// </summary>
internal static class DvrPlaylist
{
    /// <param name="live">the recording is running: no EXT-X-ENDLIST (unless the window's end has passed)</param>
    /// <param name="query">appended to every URI (signature parameters), without '?'; null for none</param>
    public static string Build(string root, IReadOnlyList<PartInfo> parts, IReadOnlyList<DvrSegment> index, bool live,
        DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now, string? query)
    {
        var byNumber = parts.ToDictionary(p => p.Number);
        var available = new Dictionary<int, bool>();
        var sb = new StringBuilder(256 + index.Count * 96);
        var body = new StringBuilder(index.Count * 96);
        long msn = -1, firstMsn = -1, discontinuities = -1, firstDiscontinuity = 0;
        int? lastPart = null, lastWrittenPart = null;
        var dropped = false;
        double maxDuration = 1;
        var fmp4 = false;
        foreach (var s in index)
        {
            if (!byNumber.TryGetValue(s.Part, out var part) || s.Offset + s.Length > part.Bytes)
            {
                continue; // written past the acknowledged bytes (a crash; recovery truncated it)
            }
            msn++;
            if (s.Part != lastPart)
            {
                discontinuities++;
                lastPart = s.Part;
            }
            if (!available.TryGetValue(s.Part, out var exists))
            {
                exists = OutputPathGuard.TryResolve(root, part.RawPath, out var raw) && File.Exists(raw);
                available[s.Part] = exists;
            }
            var inWindow = (start is not { } a || s.Wall + TimeSpan.FromSeconds(s.Duration) > a) && (end is not { } b || s.Wall < b);
            if (!inWindow)
            {
                continue;
            }
            if (!exists)
            {
                dropped |= firstMsn < 0; // the window's start is gone (retention): not an EVENT playlist any more
                continue;
            }
            if (firstMsn < 0)
            {
                firstMsn = msn;
                firstDiscontinuity = discontinuities;
            }
            var ext = Path.GetExtension(part.RawPath);
            var uri = part.Number.ToString(CultureInfo.InvariantCulture) + ext + (query is null ? string.Empty : "?" + query);
            if (s.Part != lastWrittenPart)
            {
                if (lastWrittenPart is not null)
                {
                    body.Append("#EXT-X-DISCONTINUITY\n");
                }
                if (s.InitLength > 0)
                {
                    fmp4 = true;
                    body.Append(CultureInfo.InvariantCulture, $"#EXT-X-MAP:URI=\"{uri}\",BYTERANGE=\"{s.InitLength}@0\"\n");
                }
                lastWrittenPart = s.Part;
            }
            maxDuration = Math.Max(maxDuration, s.Duration);
            body.Append("#EXT-X-PROGRAM-DATE-TIME:").Append(s.Wall.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append('\n');
            body.Append(CultureInfo.InvariantCulture, $"#EXTINF:{s.Duration:0.######},\n#EXT-X-BYTERANGE:{s.Length}@{s.Offset}\n{uri}\n");
        }
        var ended = !live || (end is { } e && e <= now);
        sb.Append("#EXTM3U\n#EXT-X-VERSION:").Append(fmp4 ? 6 : 4).Append('\n');
        sb.Append("#EXT-X-TARGETDURATION:").Append((int)Math.Ceiling(maxDuration)).Append('\n');
        if (ended)
        {
            sb.Append("#EXT-X-PLAYLIST-TYPE:VOD\n");
        }
        else if (!dropped)
        {
            sb.Append("#EXT-X-PLAYLIST-TYPE:EVENT\n");
        }
        sb.Append("#EXT-X-MEDIA-SEQUENCE:").Append(Math.Max(firstMsn, 0)).Append('\n');
        sb.Append("#EXT-X-DISCONTINUITY-SEQUENCE:").Append(firstDiscontinuity).Append('\n');
        sb.Append("#EXT-X-INDEPENDENT-SEGMENTS\n");
        sb.Append(body);
        if (ended)
        {
            sb.Append("#EXT-X-ENDLIST\n");
        }
        return sb.ToString();
    }
}
