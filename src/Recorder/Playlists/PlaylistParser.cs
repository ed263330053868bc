using System.Globalization;

namespace HlsGateway.Recorder.Playlists;

/// <summary>
/// Parses master and media playlists (RFC 8216) for the recorder. Tolerant: unknown tags, garbage
/// lines and malformed attribute values are skipped rather than failing the whole playlist, because a
/// live recording should survive an origin's odd line; only a missing #EXTM3U header is fatal.
/// </summary>
internal static class PlaylistParser
{
    public static PlaylistKind Detect(string text)
    {
        var span = text.AsSpan().TrimStart('\uFEFF').TrimStart();
        if (!span.StartsWith("#EXTM3U", StringComparison.Ordinal))
        {
            return PlaylistKind.Invalid;
        }
        if (span.Contains("#EXT-X-STREAM-INF", StringComparison.Ordinal))
        {
            return PlaylistKind.Master;
        }
        return PlaylistKind.Media;
    }

    public static bool TryParseMaster(string text, out MasterPlaylist playlist)
    {
        playlist = new MasterPlaylist { Variants = [] };
        if (Detect(text) != PlaylistKind.Master)
        {
            return false;
        }
        var variants = new List<VariantStream>();
        string? pendingAttributes = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal))
            {
                pendingAttributes = line["#EXT-X-STREAM-INF:".Length..];
                continue;
            }
            if (line[0] == '#')
            {
                continue;
            }
            if (pendingAttributes is null)
            {
                continue; // a URI without EXT-X-STREAM-INF: garbage in a master playlist
            }
            var attributes = ParseAttributes(pendingAttributes);
            pendingAttributes = null;
            if (!TryLong(attributes.GetValueOrDefault("BANDWIDTH"), out var bandwidth))
            {
                continue; // BANDWIDTH is required
            }
            long? average = TryLong(attributes.GetValueOrDefault("AVERAGE-BANDWIDTH"), out var avg) ? avg : null;
            int? width = null, height = null;
            if (attributes.GetValueOrDefault("RESOLUTION") is { } resolution)
            {
                var x = resolution.IndexOf('x', StringComparison.OrdinalIgnoreCase);
                if (x > 0 && int.TryParse(resolution.AsSpan(0, x), NumberStyles.None, CultureInfo.InvariantCulture, out var w)
                    && int.TryParse(resolution.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var h))
                {
                    width = w;
                    height = h;
                }
            }
            variants.Add(new VariantStream(line, bandwidth, average, width, height, attributes.GetValueOrDefault("CODECS")));
        }
        playlist = new MasterPlaylist { Variants = variants };
        return variants.Count > 0;
    }

    public static bool TryParseMedia(string text, out MediaPlaylist playlist)
    {
        playlist = new MediaPlaylist { Segments = [] };
        if (Detect(text) != PlaylistKind.Media)
        {
            return false;
        }
        var segments = new List<MediaSegment>();
        int version = 1;
        double targetDuration = 0;
        long mediaSequence = 0, discontinuitySequence = 0;
        bool endList = false;
        string? playlistType = null;

        // state carried to the next URI line
        double? duration = null;
        ByteRangeSpec? range = null;
        (long Length, long? Offset)? pendingRange = null;
        bool discontinuity = false;
        DateTimeOffset? programDateTime = null;
        InitSection? map = null;
        SegmentKey? key = null;
        var lastRangeEnd = new Dictionary<string, long>(StringComparer.Ordinal);
        var discontinuitiesSeen = 0L;

        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (line[0] != '#')
            {
                if (duration is null)
                {
                    continue; // a URI without EXTINF is not a segment
                }
                if (pendingRange is { } pr)
                {
                    var offset = pr.Offset ?? lastRangeEnd.GetValueOrDefault(line);
                    range = new ByteRangeSpec(offset, pr.Length);
                    lastRangeEnd[line] = offset + pr.Length;
                }
                if (discontinuity)
                {
                    discontinuitiesSeen++;
                }
                segments.Add(new MediaSegment(
                    mediaSequence + segments.Count, discontinuitySequence + discontinuitiesSeen, duration.Value, line,
                    range, discontinuity, map, key, programDateTime));
                duration = null;
                range = null;
                pendingRange = null;
                discontinuity = false;
                programDateTime = null;
                continue;
            }

            var colon = line.IndexOf(':');
            var tag = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            switch (tag)
            {
                case "#EXTINF":
                    var comma = value.IndexOf(',');
                    var number = comma < 0 ? value : value[..comma];
                    if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0 && double.IsFinite(d))
                    {
                        duration = d;
                    }
                    break;
                case "#EXT-X-TARGETDURATION":
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var td) && td > 0 && double.IsFinite(td))
                    {
                        targetDuration = td;
                    }
                    break;
                case "#EXT-X-MEDIA-SEQUENCE":
                    if (segments.Count == 0 && TryLong(value, out var ms))
                    {
                        mediaSequence = ms;
                    }
                    break;
                case "#EXT-X-DISCONTINUITY-SEQUENCE":
                    if (segments.Count == 0 && TryLong(value, out var ds))
                    {
                        discontinuitySequence = ds;
                    }
                    break;
                case "#EXT-X-DISCONTINUITY":
                    discontinuity = true;
                    break;
                case "#EXT-X-ENDLIST":
                    endList = true;
                    break;
                case "#EXT-X-VERSION":
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                    {
                        version = v;
                    }
                    break;
                case "#EXT-X-PLAYLIST-TYPE":
                    playlistType = value;
                    break;
                case "#EXT-X-BYTERANGE":
                    if (TryParseRange(value, out var len, out var off))
                    {
                        pendingRange = (len, off);
                    }
                    break;
                case "#EXT-X-PROGRAM-DATE-TIME":
                    if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var pdt))
                    {
                        programDateTime = pdt;
                    }
                    break;
                case "#EXT-X-MAP":
                    {
                        var attributes = ParseAttributes(value);
                        if (attributes.GetValueOrDefault("URI") is { Length: > 0 } uri)
                        {
                            ByteRangeSpec? mapRange = null;
                            if (attributes.GetValueOrDefault("BYTERANGE") is { } br && TryParseRange(br, out var ml, out var mo))
                            {
                                mapRange = new ByteRangeSpec(mo ?? 0, ml);
                            }
                            map = new InitSection(uri, mapRange);
                        }
                        break;
                    }
                case "#EXT-X-KEY":
                    {
                        var attributes = ParseAttributes(value);
                        if (attributes.GetValueOrDefault("METHOD") is { Length: > 0 } method)
                        {
                            key = method.Equals("NONE", StringComparison.OrdinalIgnoreCase)
                                ? null
                                : new SegmentKey(method, attributes.GetValueOrDefault("URI"), attributes.GetValueOrDefault("IV"), attributes.GetValueOrDefault("KEYFORMAT"));
                        }
                        break;
                    }
            }
        }

        playlist = new MediaPlaylist
        {
            Version = version,
            TargetDuration = targetDuration,
            MediaSequence = mediaSequence,
            DiscontinuitySequence = discontinuitySequence,
            EndList = endList,
            PlaylistType = playlistType,
            Segments = segments,
        };
        return true;
    }

    /// <summary>Parses <c>n[@o]</c>.</summary>
    private static bool TryParseRange(string value, out long length, out long? offset)
    {
        offset = null;
        var at = value.IndexOf('@');
        if (!TryLong(at < 0 ? value : value[..at], out length) || length <= 0)
        {
            return false;
        }
        if (at >= 0)
        {
            if (!TryLong(value[(at + 1)..], out var o))
            {
                return false;
            }
            offset = o;
        }
        return true;
    }

    private static bool TryLong(string? value, out long result) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result);

    /// <summary>Parses an attribute list (RFC 8216 4.2); quoted values may contain commas.</summary>
    internal static Dictionary<string, string> ParseAttributes(string list)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < list.Length)
        {
            var eq = list.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }
            var name = list[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < list.Length && list[i] == '"')
            {
                var close = list.IndexOf('"', i + 1);
                if (close < 0)
                {
                    break; // unterminated quote: garbage, stop here
                }
                value = list[(i + 1)..close];
                i = close + 1;
                var next = list.IndexOf(',', i);
                i = next < 0 ? list.Length : next + 1;
            }
            else
            {
                var next = list.IndexOf(',', i);
                value = (next < 0 ? list[i..] : list[i..next]).Trim();
                i = next < 0 ? list.Length : next + 1;
            }
            if (name.Length > 0)
            {
                result[name] = value;
            }
        }
        return result;
    }
}
