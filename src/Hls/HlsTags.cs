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
        return n switch
        {
            _ when n.SequenceEqual("PROGRAM-DATE-TIME"u8) => HlsTag.ProgramDateTime,
            _ when n.SequenceEqual("PART"u8) => HlsTag.Part,
            _ when n.SequenceEqual("BYTERANGE"u8) => HlsTag.ByteRange,
            _ when n.SequenceEqual("DISCONTINUITY"u8) => HlsTag.Discontinuity,
            _ when n.SequenceEqual("KEY"u8) => HlsTag.Key,
            _ when n.SequenceEqual("MAP"u8) => HlsTag.Map,
            _ when n.SequenceEqual("STREAM-INF"u8) => HlsTag.StreamInf,
            _ when n.SequenceEqual("MEDIA"u8) => HlsTag.Media,
            _ when n.SequenceEqual("TARGETDURATION"u8) => HlsTag.TargetDuration,
            _ when n.SequenceEqual("MEDIA-SEQUENCE"u8) => HlsTag.MediaSequence,
            _ when n.SequenceEqual("DISCONTINUITY-SEQUENCE"u8) => HlsTag.DiscontinuitySequence,
            _ when n.SequenceEqual("ENDLIST"u8) => HlsTag.EndList,
            _ when n.SequenceEqual("PLAYLIST-TYPE"u8) => HlsTag.PlaylistType,
            _ when n.SequenceEqual("VERSION"u8) => HlsTag.Version,
            _ when n.SequenceEqual("INDEPENDENT-SEGMENTS"u8) => HlsTag.IndependentSegments,
            _ when n.SequenceEqual("START"u8) => HlsTag.Start,
            _ when n.SequenceEqual("DEFINE"u8) => HlsTag.Define,
            _ when n.SequenceEqual("I-FRAMES-ONLY"u8) => HlsTag.IFramesOnly,
            _ when n.SequenceEqual("PART-INF"u8) => HlsTag.PartInf,
            _ when n.SequenceEqual("SERVER-CONTROL"u8) => HlsTag.ServerControl,
            _ when n.SequenceEqual("GAP"u8) => HlsTag.Gap,
            _ when n.SequenceEqual("BITRATE"u8) => HlsTag.Bitrate,
            _ when n.SequenceEqual("DATERANGE"u8) => HlsTag.DateRange,
            _ when n.SequenceEqual("SKIP"u8) => HlsTag.Skip,
            _ when n.SequenceEqual("PRELOAD-HINT"u8) => HlsTag.PreloadHint,
            _ when n.SequenceEqual("RENDITION-REPORT"u8) => HlsTag.RenditionReport,
            _ when n.SequenceEqual("I-FRAME-STREAM-INF"u8) => HlsTag.IFrameStreamInf,
            _ when n.SequenceEqual("SESSION-DATA"u8) => HlsTag.SessionData,
            _ when n.SequenceEqual("SESSION-KEY"u8) => HlsTag.SessionKey,
            _ when n.SequenceEqual("CONTENT-STEERING"u8) => HlsTag.ContentSteering,
            _ => HlsTag.Unknown,
        };
    }

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
