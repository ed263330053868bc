namespace HlsGateway.Recorder.Playlists;

internal enum PlaylistKind
{
    Invalid,
    Master,
    Media,
}
