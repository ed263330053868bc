using HlsGateway.Recorder.Pipeline;

namespace HlsGateway.Recorder.Events;

/// <summary>A gap ledger entry was added or extended.</summary>
internal sealed class RecordGapEventArgs(string recording, DateTimeOffset timeUtc, GapEntry gap) : RecorderEventArgs(recording, timeUtc)
{
    public override string Type => "record.gap";

    public GapEntry Gap { get; } = gap;
}
