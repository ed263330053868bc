using HlsGateway.Recorder.Playlists;

namespace HlsGateway.Recorder.Pipeline;

/// <summary>
/// One segment handed to the pipeline, in playlist order. <see cref="Body"/> is empty and
/// <see cref="MissingReason"/> set when the source could not get it (404, repeated failures): the
/// pipeline records that as a gap instead of stopping.
/// </summary>
internal sealed class SegmentData
{
    public required SequenceKey Key { get; init; }

    public required string Uri { get; init; }

    public double Duration { get; init; }

    /// <summary>The playlist's EXT-X-TARGETDURATION, used to estimate gaps the playlist never showed.</summary>
    public double TargetDuration { get; init; }

    public bool Discontinuity { get; init; }

    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>EXT-X-MAP in force (fMP4), with its bytes.</summary>
    public string? InitUri { get; init; }

    public ReadOnlyMemory<byte> InitBody { get; init; }

    /// <summary>EXT-X-KEY in force: recorded as received, the key URI noted in the part.</summary>
    public SegmentKey? EncryptionKey { get; init; }

    public DateTimeOffset? ProgramDateTime { get; init; }

    /// <summary>
    /// Wall-clock start of the segment: its own EXT-X-PROGRAM-DATE-TIME, else the previous one carried forward by the
    /// EXTINF durations in between (RFC 8216 4.3.2.6). Only used to line renditions up with the video.
    /// </summary>
    public DateTimeOffset? Wall { get; init; }

    public string? MissingReason { get; init; }

    public bool IsMissing => MissingReason is not null;
}
