using System.Globalization;
using System.Text;
using HlsGateway.Hls;
using HlsKind = HlsGateway.Hls.PlaylistKind;

namespace HlsGateway.Recorder.Playlists;

/// <summary>
/// Builds the recorder's playlist model from the shared reader (<see cref="M3u8LineReader"/>, the same line,
/// tag and attribute rules as the gateway's cache and rewriter). Tolerant: unknown tags, garbage lines and
/// malformed attribute values are skipped rather than failing the whole playlist, because a live recording
/// should survive an origin's odd line; only a missing #EXTM3U header is fatal. LL-HLS partial segments
/// (EXT-X-PART, EXT-X-PRELOAD-HINT) are ignored: the recorder follows full segments only.
/// </summary>
internal static class PlaylistParser
{
    public static PlaylistKind Detect(string text) => Detect(Encoding.UTF8.GetBytes(text));

    private static PlaylistKind Detect(ReadOnlySpan<byte> body) => PlaylistInspector.Inspect(SkipLeadingWhitespace(body)).Kind switch
    {
        HlsKind.Multivariant => PlaylistKind.Master,
        HlsKind.Media => PlaylistKind.Media,
        _ => PlaylistKind.Invalid,
    };

    public static bool TryParseMaster(string text, out MasterPlaylist playlist)
    {
        playlist = new MasterPlaylist { Variants = [] };
        var body = SkipLeadingWhitespace(Encoding.UTF8.GetBytes(text));
        if (Detect(body) != PlaylistKind.Master)
        {
            return false;
        }
        var variants = new List<VariantStream>();
        var renditions = new List<Rendition>();
        Dictionary<string, string>? pending = null;
        var reader = new M3u8LineReader(body);
        while (reader.TryRead(out var line))
        {
            switch (line.Kind)
            {
                case M3u8LineKind.Tag when line.Tag == HlsTag.StreamInf:
                    pending = ToDictionary(line.Value);
                    break;
                case M3u8LineKind.Tag when line.Tag == HlsTag.Media:
                    if (ToRendition(ToDictionary(line.Value)) is { } rendition)
                    {
                        renditions.Add(rendition);
                    }
                    break;
                case M3u8LineKind.Uri when pending is not null:
                    if (ToVariant(Encoding.UTF8.GetString(line.Text), pending) is { } variant)
                    {
                        variants.Add(variant);
                    }
                    pending = null;
                    break;
            }
        }
        playlist = new MasterPlaylist { Variants = variants, Renditions = renditions };
        return variants.Count > 0;
    }

    private static VariantStream? ToVariant(string uri, Dictionary<string, string> attributes)
    {
        if (!TryLong(attributes.GetValueOrDefault("BANDWIDTH"), out var bandwidth))
        {
            return null; // BANDWIDTH is required
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
        return new VariantStream(uri, bandwidth, average, width, height, attributes.GetValueOrDefault("CODECS"),
            attributes.GetValueOrDefault("AUDIO"), attributes.GetValueOrDefault("SUBTITLES"));
    }

    private static Rendition? ToRendition(Dictionary<string, string> a)
    {
        // TYPE, GROUP-ID and NAME are required (§4.3.4.1)
        if (a.GetValueOrDefault("TYPE") is not { Length: > 0 } type || a.GetValueOrDefault("GROUP-ID") is not { } group
            || a.GetValueOrDefault("NAME") is not { } name)
        {
            return null;
        }
        return new Rendition(type, group, name, a.GetValueOrDefault("LANGUAGE"),
            a.GetValueOrDefault("DEFAULT") == "YES", a.GetValueOrDefault("AUTOSELECT") == "YES",
            a.GetValueOrDefault("URI") is { Length: > 0 } uri ? uri : null, a.GetValueOrDefault("CHANNELS"));
    }

    public static bool TryParseMedia(string text, out MediaPlaylist playlist)
    {
        playlist = new MediaPlaylist { Segments = [] };
        var body = SkipLeadingWhitespace(Encoding.UTF8.GetBytes(text));
        if (Detect(body) != PlaylistKind.Media)
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

        var reader = new M3u8LineReader(body);
        while (reader.TryRead(out var line))
        {
            if (line.Kind == M3u8LineKind.Uri)
            {
                if (duration is null)
                {
                    continue; // a URI without EXTINF is not a segment
                }
                var uri = Encoding.UTF8.GetString(line.Text);
                if (pendingRange is { } pr)
                {
                    var offset = pr.Offset ?? lastRangeEnd.GetValueOrDefault(uri);
                    range = new ByteRangeSpec(offset, pr.Length);
                    lastRangeEnd[uri] = offset + pr.Length;
                }
                if (discontinuity)
                {
                    discontinuitiesSeen++;
                }
                segments.Add(new MediaSegment(
                    mediaSequence + segments.Count, discontinuitySequence + discontinuitiesSeen, duration.Value, uri,
                    range, discontinuity, map, key, programDateTime));
                duration = null;
                range = null;
                pendingRange = null;
                discontinuity = false;
                programDateTime = null;
                continue;
            }
            if (line.Kind != M3u8LineKind.Tag)
            {
                continue;
            }
            var value = line.Value;
            switch (line.Tag)
            {
                case HlsTag.ExtInf:
                    var comma = value.IndexOf((byte)',');
                    var number = comma < 0 ? value : value[..comma];
                    if (TryDouble(number, out var d) && d >= 0)
                    {
                        duration = d;
                    }
                    break;
                case HlsTag.TargetDuration:
                    if (TryDouble(value, out var td) && td > 0)
                    {
                        targetDuration = td;
                    }
                    break;
                case HlsTag.MediaSequence:
                    if (segments.Count == 0 && TryLong(Text(value), out var ms))
                    {
                        mediaSequence = ms;
                    }
                    break;
                case HlsTag.DiscontinuitySequence:
                    if (segments.Count == 0 && TryLong(Text(value), out var ds))
                    {
                        discontinuitySequence = ds;
                    }
                    break;
                case HlsTag.Discontinuity:
                    discontinuity = true;
                    break;
                case HlsTag.EndList:
                    endList = true;
                    break;
                case HlsTag.Version:
                    if (int.TryParse(Text(value), NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                    {
                        version = v;
                    }
                    break;
                case HlsTag.PlaylistType:
                    playlistType = Text(value);
                    break;
                case HlsTag.ByteRange:
                    if (TryParseRange(Text(value), out var len, out var off))
                    {
                        pendingRange = (len, off);
                    }
                    break;
                case HlsTag.ProgramDateTime:
                    if (DateTimeOffset.TryParse(Text(value), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var pdt))
                    {
                        programDateTime = pdt;
                    }
                    break;
                case HlsTag.Map:
                    {
                        var attributes = ToDictionary(value);
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
                case HlsTag.Key:
                    {
                        var attributes = ToDictionary(value);
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

    /// <summary>Parses an attribute list (RFC 8216 4.2) with the shared reader; quoted values may contain commas.</summary>
    internal static Dictionary<string, string> ParseAttributes(string list) => ToDictionary(Encoding.UTF8.GetBytes(list));

    private static Dictionary<string, string> ToDictionary(ReadOnlySpan<byte> list)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new AttributeListReader(list);
        while (reader.TryRead(out var a))
        {
            result[Encoding.UTF8.GetString(a.Name)] = a.ValueText();
        }
        return result;
    }

    /// <summary>The old parser tolerated whitespace before #EXTM3U; the shared reader does not, so it is skipped here.</summary>
    private static ReadOnlySpan<byte> SkipLeadingWhitespace(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith(M3u8LineReader.Utf8Bom))
        {
            body = body[M3u8LineReader.Utf8Bom.Length..];
        }
        return body.TrimStart(" \t\r\n"u8);
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

    private static string Text(ReadOnlySpan<byte> value) => Encoding.UTF8.GetString(value.Trim(" \t"u8));

    private static bool TryDouble(ReadOnlySpan<byte> value, out double result) =>
        double.TryParse(Text(value), NumberStyles.Float, CultureInfo.InvariantCulture, out result) && double.IsFinite(result);

    private static bool TryLong(string? value, out long result) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result);
}
