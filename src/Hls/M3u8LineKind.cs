namespace HlsGateway.Hls;

/// <summary>What one playlist line is (RFC 8216 §4.1).</summary>
public enum M3u8LineKind
{
    /// <summary>Empty or only spaces/tabs: ignored by players.</summary>
    Blank,

    /// <summary>A URI line (a segment or a variant stream).</summary>
    Uri,

    /// <summary>A tag: a line starting with <c>#EXT</c>.</summary>
    Tag,

    /// <summary>Any other line starting with <c>#</c>.</summary>
    Comment,
}
