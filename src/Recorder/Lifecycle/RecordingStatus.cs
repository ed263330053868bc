using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Uploads;

namespace HlsGateway.Recorder.Lifecycle;

/// <summary>
/// A point-in-time view of one recording (admin API, /stats). <see cref="Upload"/> and <see cref="Uploads"/> are
/// filled in by <see cref="RecordingManager"/> from the upload queue (null from <see cref="Recording.Snapshot"/>).
/// </summary>
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
    string? LeaseHolder,
    UploadSummary? Upload = null,
    IReadOnlyList<UploadStatus>? Uploads = null)
{
    /// <summary>The EXT-X-MEDIA renditions followed with the variant (<c>Recorder:Renditions</c>); empty when none.</summary>
    public IReadOnlyList<RenditionStatus> Renditions { get; init; } = [];
}
