namespace HlsGateway.Recorder.Sources;

/// <summary>Why <see cref="PlaylistFollower.RunAsync"/> returned.</summary>
internal enum FollowResult
{
    /// <summary>EXT-X-ENDLIST: the stream ended normally.</summary>
    Ended,

    /// <summary>The playlist could not be loaded (offline, 404, 5xx, not a playlist).</summary>
    Offline,

    /// <summary>Cancelled (stop or shutdown).</summary>
    Cancelled,
}
