using HlsGateway.Recorder.Pipeline;

namespace HlsGateway.Recorder.Lifecycle;

/// <summary>A point-in-time view of one recording (admin API, /stats).</summary>
internal sealed record RecordingStatus(
    string Name,
    string Url,
    RecordingState State,
    DateTimeOffset StartedUtc,
    long Segments,
    long Bytes,
    double DurationSeconds,
    long Duplicates,
    int GapCount,
    double GapSeconds,
    string? CurrentPart,
    string? LastError,
    long? LastMediaSequence,
    long Epoch,
    IReadOnlyList<PartInfo> Parts,
    IReadOnlyList<GapEntry> Gaps,
    string? LeaseHolder);
