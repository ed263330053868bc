namespace HlsGateway.Hls;

public enum PlaylistKind
{
    /// <summary>Not a playlist: the first line is not #EXTM3U.</summary>
    Invalid,

    /// <summary>A multivariant (master) playlist: it holds EXT-X-STREAM-INF, EXT-X-MEDIA or another master-only tag.</summary>
    Multivariant,

    /// <summary>A media playlist.</summary>
    Media,
}
