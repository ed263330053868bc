using HlsGateway.Hls;
using HlsGateway.Configuration;
using HlsGateway.Monitor.Metrics;

namespace HlsGateway.Caching;

/// <summary>
/// How long a response stays fresh, HLS-aware: live media playlists for a fraction of their
/// EXT-X-TARGETDURATION (never longer than it), VOD playlists and segments long, master playlists
/// short, 404 for segments at most 1 s, everything else 4xx/5xx never.
/// </summary>
internal static class CacheTtlPolicy
{
    public static TimeSpan FreshFor(int status, RouteKind kind, in PlaylistInfo playlist, CacheOptions options)
    {
        if (status == StatusCodes.Status404NotFound)
        {
            return kind == RouteKind.Segment ? options.NotFoundTtl : TimeSpan.Zero;
        }
        if (status != StatusCodes.Status200OK)
        {
            return TimeSpan.Zero;
        }
        switch (kind)
        {
            case RouteKind.MasterPlaylist:
                return options.MasterPlaylistTtl;
            case RouteKind.MediaPlaylist:
                if (playlist.IsEndList)
                {
                    return options.VodPlaylistTtl;
                }
                // live: a fraction of the target duration, never longer than it; 1 s when the tag is missing
                var target = playlist.TargetDurationSeconds > 0 ? playlist.TargetDurationSeconds : 1;
                var fraction = Math.Clamp(options.LivePlaylistFraction, 0.01, 1.0);
                return TimeSpan.FromSeconds(Math.Min(target, target * fraction));
            case RouteKind.Segment:
                return options.SegmentTtl;
            default:
                return options.OtherTtl;
        }
    }
}
