using System.Globalization;
using System.Text;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Storage;

namespace HlsGateway.Recorder.Dvr;

/// <summary>
/// Writes the DVR / startover playlists of a recording from its segment index: each recorded segment is an
/// EXT-X-BYTERANGE of its raw part file (<c>&lt;part&gt;.ts</c> / <c>&lt;part&gt;.m4s</c>, an fMP4 part's init section an
/// EXT-X-MAP byte range), with its EXT-X-PROGRAM-DATE-TIME, and EXT-X-DISCONTINUITY between parts (a part boundary is
/// where the timeline may jump: gap, discontinuity, reset, new init). Media and discontinuity sequence numbers count
/// from the recording's first segment, so they stay stable while the playlist grows or retention drops its start.
/// A recording with rendition tracks (demuxed audio, WebVTT) is a master playlist (<see cref="BuildMaster"/>) over one
/// media playlist per track and one for the video; a track's discontinuity sequence is the video's at the same part,
/// so a player lines them up part by part.
/// </summary>
internal static class DvrPlaylist
{
    public const string VideoName = "video";

    private const string SubtitlesPrefix = "subtitles-";

    /// <summary>Whether the recording has rendition tracks, i.e. is served as a master playlist.</summary>
    public static bool HasTracks(IReadOnlyList<PartInfo> parts) => parts.Any(p => p.Tracks.Count > 0);

    /// <summary>The media playlist name (without <c>.m3u8</c>) of a track: its id for audio (<c>audio-eng</c>), <c>subtitles-&lt;id&gt;</c> else.</summary>
    public static string PlaylistName(TrackInfo track) =>
        track.Type == Sources.RenditionSelection.Subtitles ? SubtitlesPrefix + track.Id : track.Id;

    /// <summary>The track id of a playlist name, if some part has such a track; null for the video or an unknown name.</summary>
    public static string? TrackOf(IReadOnlyList<PartInfo> parts, string playlist) =>
        parts.SelectMany(p => p.Tracks).FirstOrDefault(t => PlaylistName(t) == playlist)?.Id;

    /// <summary>
    /// The master playlist: one EXT-X-MEDIA per track (audio in group <c>audio</c>, subtitles in <c>subs</c>, in the
    /// order the recording met them) and one variant, the video, with a BANDWIDTH from the index's peak segment rates.
    /// </summary>
    /// <param name="query">appended to every child URI (window and signature parameters), without '?'; null for none</param>
    public static string BuildMaster(IReadOnlyList<PartInfo> parts, IReadOnlyList<DvrSegment> index, string? query)
    {
        var tracks = new List<TrackInfo>();
        foreach (var t in parts.SelectMany(p => p.Tracks))
        {
            if (!tracks.Exists(x => x.Id == t.Id))
            {
                tracks.Add(t);
            }
        }
        var suffix = ".m3u8" + (query is null ? string.Empty : "?" + query);
        var sb = new StringBuilder(256 + tracks.Count * 160);
        sb.Append("#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        var hasAudio = false;
        var hasSubtitles = false;
        foreach (var group in tracks.GroupBy(t => t.Type == Sources.RenditionSelection.Subtitles))
        {
            var list = group.ToList();
            // audio: one DEFAULT=YES (the source's, else the first), players start with it; subtitles stay as the source had them
            var defaultId = group.Key ? null : (list.Find(t => t.IsDefault) ?? list[0]).Id;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in list)
            {
                var subtitles = group.Key;
                hasSubtitles |= subtitles;
                hasAudio |= !subtitles;
                var name = Quoted(t.Name.Length > 0 ? t.Name : t.Id);
                if (!names.Add(name))
                {
                    name = Quoted(name + " " + t.Id); // NAME must be unique in its group
                }
                sb.Append(subtitles ? "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\"" : "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\"");
                sb.Append(",NAME=\"").Append(name).Append('"');
                if (t.Language is { Length: > 0 } language)
                {
                    sb.Append(",LANGUAGE=\"").Append(Quoted(language)).Append('"');
                }
                sb.Append(",DEFAULT=").Append(t.Id == defaultId || (subtitles && t.IsDefault) ? "YES" : "NO").Append(",AUTOSELECT=YES");
                sb.Append(",URI=\"").Append(PlaylistName(t)).Append(suffix).Append("\"\n");
            }
        }
        var audioIds = tracks.Where(t => t.Type != Sources.RenditionSelection.Subtitles).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        sb.Append("#EXT-X-STREAM-INF:BANDWIDTH=").Append(Bandwidth(index, audioIds));
        if (hasAudio)
        {
            sb.Append(",AUDIO=\"audio\"");
        }
        if (hasSubtitles)
        {
            sb.Append(",SUBTITLES=\"subs\"");
        }
        sb.Append('\n').Append(VideoName).Append(suffix).Append('\n');
        return sb.ToString();
    }

    /// <summary>The media playlist of the video (<paramref name="track"/> null) or of one rendition track.</summary>
    /// <param name="live">the recording is running: no EXT-X-ENDLIST (unless the window's end has passed)</param>
    /// <param name="query">appended to every URI (signature parameters), without '?'; null for none</param>
    public static string Build(string root, IReadOnlyList<PartInfo> parts, IReadOnlyList<DvrSegment> index, bool live,
        DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now, string? query, string? track = null)
    {
        var byNumber = parts.ToDictionary(p => p.Number);
        var discontinuityOf = DiscontinuityNumbers(byNumber, index);
        var available = new Dictionary<int, bool>();
        var sb = new StringBuilder(256 + index.Count * 96);
        var body = new StringBuilder(index.Count * 96);
        long msn = -1, firstMsn = -1, firstDiscontinuity = 0;
        int? lastWrittenPart = null;
        var dropped = false;
        double maxDuration = 1;
        var fmp4 = false;
        foreach (var s in index)
        {
            if (s.Track != track || !byNumber.TryGetValue(s.Part, out var part) || !TryFile(part, track, out var rawPath, out var acknowledged)
                || s.Offset + s.Length > acknowledged || !discontinuityOf.TryGetValue(s.Part, out var discontinuity))
            {
                continue; // written past the acknowledged bytes (a crash; recovery truncated it), or a part without video
            }
            msn++;
            if (!available.TryGetValue(s.Part, out var exists))
            {
                exists = OutputPathGuard.TryResolve(root, rawPath, out var raw) && File.Exists(raw);
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
                firstDiscontinuity = discontinuity;
            }
            // <part><what follows the part's stem in the file name>: 1.ts, 1.m4s, 1.audio-eng.ts, 1.eng.segments.vtt
            var uri = part.Number.ToString(CultureInfo.InvariantCulture) + rawPath[Path.ChangeExtension(part.RawPath, null).Length..]
                + (query is null ? string.Empty : "?" + query);
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

    /// <summary>
    /// The discontinuity number of each part with acknowledged video segments: how many such parts came before it. The
    /// video and every track use these, so a part boundary is the same discontinuity in all of them.
    /// </summary>
    private static Dictionary<int, long> DiscontinuityNumbers(Dictionary<int, PartInfo> byNumber, IReadOnlyList<DvrSegment> index)
    {
        var numbers = new Dictionary<int, long>();
        foreach (var s in index)
        {
            if (s.Track is null && !numbers.ContainsKey(s.Part) && byNumber.TryGetValue(s.Part, out var part) && s.Offset + s.Length <= part.Bytes)
            {
                numbers[s.Part] = numbers.Count;
            }
        }
        return numbers;
    }

    private static bool TryFile(PartInfo part, string? track, out string rawPath, out long acknowledged)
    {
        if (track is null)
        {
            (rawPath, acknowledged) = (part.RawPath, part.Bytes);
            return true;
        }
        var info = part.Tracks.Find(t => t.Id == track);
        (rawPath, acknowledged) = info is null ? (string.Empty, 0) : (info.RawPath, info.Bytes);
        return info is not null;
    }

    /// <summary>Peak bits per second of the video plus the peak of the busiest audio track, over the recorded segments.</summary>
    private static long Bandwidth(IReadOnlyList<DvrSegment> index, HashSet<string> audioIds)
    {
        double video = 0;
        var audio = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var s in index)
        {
            if (s.Duration <= 0)
            {
                continue;
            }
            var rate = s.Length * 8 / s.Duration;
            if (s.Track is null)
            {
                video = Math.Max(video, rate);
            }
            else if (audioIds.Contains(s.Track))
            {
                audio[s.Track] = Math.Max(audio.GetValueOrDefault(s.Track), rate);
            }
        }
        return Math.Max(1, (long)Math.Ceiling(video + (audio.Count == 0 ? 0 : audio.Values.Max())));
    }

    /// <summary>A quoted-string attribute cannot hold a double quote or a line break (RFC 8216 4.2).</summary>
    private static string Quoted(string value) => value.Replace('"', '\'').Replace('\n', ' ').Replace('\r', ' ');
}
