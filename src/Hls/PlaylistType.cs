namespace HlsGateway.Hls;

/// <summary>EXT-X-PLAYLIST-TYPE (RFC 8216 §4.3.3.5).</summary>
public enum PlaylistType
{
    /// <summary>No tag: a live playlist may change in any way RFC 8216 §6.2.1 allows.</summary>
    None,

    /// <summary>Segments are only appended.</summary>
    Event,

    /// <summary>The playlist never changes.</summary>
    Vod,
}
