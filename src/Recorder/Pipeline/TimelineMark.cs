namespace HlsGateway.Recorder.Pipeline;

/// <summary>
/// A point on the recorded variant's timeline, used to put rendition segments into the part whose time they cover:
/// by wall clock when both playlists carry EXT-X-PROGRAM-DATE-TIME (a segment belongs where its middle falls), else by
/// media sequence number (packagers number the segments of one presentation's renditions alike).
/// </summary>
internal readonly record struct TimelineMark(long Media, DateTimeOffset? Wall)
{
    /// <summary>Whether a rendition segment lies before this mark.</summary>
    public bool IsAfter(long media, DateTimeOffset? wall, double duration) =>
        Wall is { } w && wall is { } s ? s + TimeSpan.FromSeconds(duration / 2) < w : media < Media;
}
