namespace HlsGateway.Hls;

/// <summary>Tag names and what each tag tells about the playlist it is in.</summary>
public static class HlsTags
{
    /// <summary>The tag for a tag name (with its <c>#</c>, without the <c>:</c>).</summary>
    public static HlsTag Identify(ReadOnlySpan<byte> name)
    {
        if (!name.StartsWith("#EXT"u8))
        {
            return HlsTag.Unknown;
        }
        var n = name[4..];
        if (n.SequenceEqual("INF"u8))
        {
            return HlsTag.ExtInf; // the most frequent tag first
        }
        if (n.SequenceEqual("M3U"u8))
        {
            return HlsTag.ExtM3u;
        }
        if (!n.StartsWith("-X-"u8))
        {
            return HlsTag.Unknown;
        }
        n = n[3..];
        // by length first: one comparison for most names (this runs for every tag line of every playlist)
        return n.Length switch
        {
            3 => Is(n, "KEY"u8, HlsTag.Key) | Is(n, "MAP"u8, HlsTag.Map) | Is(n, "GAP"u8, HlsTag.Gap),
            4 => Is(n, "PART"u8, HlsTag.Part) | Is(n, "SKIP"u8, HlsTag.Skip),
            5 => Is(n, "MEDIA"u8, HlsTag.Media) | Is(n, "START"u8, HlsTag.Start),
            6 => Is(n, "DEFINE"u8, HlsTag.Define),
            7 => Is(n, "VERSION"u8, HlsTag.Version) | Is(n, "ENDLIST"u8, HlsTag.EndList) | Is(n, "BITRATE"u8, HlsTag.Bitrate),
            8 => Is(n, "PART-INF"u8, HlsTag.PartInf),
            9 => Is(n, "BYTERANGE"u8, HlsTag.ByteRange) | Is(n, "DATERANGE"u8, HlsTag.DateRange),
            10 => Is(n, "STREAM-INF"u8, HlsTag.StreamInf),
            11 => Is(n, "SESSION-KEY"u8, HlsTag.SessionKey),
            12 => Is(n, "SESSION-DATA"u8, HlsTag.SessionData) | Is(n, "PRELOAD-HINT"u8, HlsTag.PreloadHint),
            13 => Is(n, "DISCONTINUITY"u8, HlsTag.Discontinuity) | Is(n, "PLAYLIST-TYPE"u8, HlsTag.PlaylistType)
                | Is(n, "I-FRAMES-ONLY"u8, HlsTag.IFramesOnly),
            14 => Is(n, "TARGETDURATION"u8, HlsTag.TargetDuration) | Is(n, "MEDIA-SEQUENCE"u8, HlsTag.MediaSequence)
                | Is(n, "SERVER-CONTROL"u8, HlsTag.ServerControl),
            16 => Is(n, "RENDITION-REPORT"u8, HlsTag.RenditionReport) | Is(n, "CONTENT-STEERING"u8, HlsTag.ContentSteering),
            17 => Is(n, "PROGRAM-DATE-TIME"u8, HlsTag.ProgramDateTime),
            18 => Is(n, "I-FRAME-STREAM-INF"u8, HlsTag.IFrameStreamInf),
            20 => Is(n, "INDEPENDENT-SEGMENTS"u8, HlsTag.IndependentSegments),
            22 => Is(n, "DISCONTINUITY-SEQUENCE"u8, HlsTag.DiscontinuitySequence),
            _ => HlsTag.Unknown,
        };
    }

    // Unknown is 0, and at most one candidate of a length matches, so the results can be or-ed.
    private static HlsTag Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> candidate, HlsTag tag) =>
        name.SequenceEqual(candidate) ? tag : HlsTag.Unknown;

    /// <summary>Tags that only a multivariant (master) playlist may hold (RFC 8216 §4.3.4, rfc8216bis §4.4.6).</summary>
    public static bool IsMultivariantTag(HlsTag tag) =>
        tag is HlsTag.Media or HlsTag.StreamInf or HlsTag.IFrameStreamInf or HlsTag.SessionData or HlsTag.SessionKey or HlsTag.ContentSteering;

    /// <summary>Tags that only a media playlist may hold (§4.3.2, §4.3.3 and the LL-HLS tags of rfc8216bis).</summary>
    public static bool IsMediaTag(HlsTag tag) => tag is >= HlsTag.TargetDuration and <= HlsTag.RenditionReport;

    /// <summary>
    /// True for an attribute whose quoted value is a URI a player fetches: <c>URI</c> (MEDIA, I-FRAME-STREAM-INF, KEY,
    /// SESSION-KEY, MAP, PART, PRELOAD-HINT, RENDITION-REPORT, SESSION-DATA) and the interstitial
    /// <c>X-ASSET-URI</c> / <c>X-ASSET-LIST</c> of EXT-X-DATERANGE. CONTENT-STEERING's SERVER-URI is not one:
    /// it names a steering server, which writers decide about as a whole tag.
    /// </summary>
    public static bool IsUriAttribute(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("URI"u8) || name.SequenceEqual("X-ASSET-URI"u8) || name.SequenceEqual("X-ASSET-LIST"u8);
}
