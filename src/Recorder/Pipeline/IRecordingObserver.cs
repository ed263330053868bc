namespace HlsGateway.Recorder.Pipeline;

/// <summary>What the pipeline tells its owner (the lifecycle turns these into events and remux jobs).</summary>
internal interface IRecordingObserver
{
    void PartOpened(PartInfo part);

    void PartClosed(PartInfo part);

    void GapRecorded(GapEntry gap);
}
