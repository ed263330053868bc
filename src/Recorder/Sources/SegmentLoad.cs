using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Playlists;

namespace HlsGateway.Recorder.Sources;

/// <summary>The last init section (EXT-X-MAP) a follower fetched, by URL and byte range: fetched once per change.</summary>
internal sealed class InitSectionCache
{
    public (string Key, byte[] Body)? Entry { get; set; }
}

/// <summary>
/// A media segment as loaded by <see cref="SegmentFetcher.LoadAsync"/>: its body and init section, or the gap reason
/// when either could not be fetched (<see cref="Error"/>: the segment fetch's message, for the follower to report).
/// </summary>
internal readonly record struct SegmentLoad(ReadOnlyMemory<byte> Init, ReadOnlyMemory<byte> Body, string? Missing, string? Error)
{
    public SegmentData ToData(SequenceKey key, MediaSegment s, double targetDuration, DateTimeOffset? wall) => new()
    {
        Key = key,
        Uri = s.Uri,
        Duration = s.Duration,
        TargetDuration = targetDuration,
        Discontinuity = s.Discontinuity,
        Body = Body,
        InitUri = s.Map?.Uri,
        InitBody = Init,
        EncryptionKey = s.Key,
        ProgramDateTime = s.ProgramDateTime,
        Wall = wall,
        MissingReason = Missing,
    };
}
