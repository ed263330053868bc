namespace HlsGateway.Recorder.Playlists;

/// <summary>The parts of a media playlist the recorder needs.</summary>
internal sealed class MediaPlaylist
{
    public int Version { get; init; } = 1;

    public double TargetDuration { get; init; }

    public long MediaSequence { get; init; }

    public long DiscontinuitySequence { get; init; }

    public bool EndList { get; init; }

    public string? PlaylistType { get; init; }

    public required IReadOnlyList<MediaSegment> Segments { get; init; }

    /// <summary>Media sequence of the newest segment, or MediaSequence - 1 when empty.</summary>
    public long LastMediaSequence => Segments.Count == 0 ? MediaSequence - 1 : Segments[^1].MediaSequence;
}
