namespace HlsGateway.Recorder.Pipeline;

/// <summary>What the pipeline tells its owner (the lifecycle turns these into events, metrics and remux jobs).</summary>
internal interface IRecordingObserver
{
    void PartOpened(PartInfo part);

    void PartClosed(PartInfo part);

    /// <summary>A gap ledger entry was added or extended (a run continuing the previous entry extends it).</summary>
    void GapRecorded(GapEntry gap);

    /// <summary>A new gap ledger entry (not an extension): what the gap metric counts, so it matches the ledger.</summary>
    void GapStarted(GapEntry gap)
    {
    }

    /// <summary>A segment (plus init section, for the first of an fMP4 part) of <paramref name="bytes"/> bytes was written and flushed.</summary>
    void SegmentWritten(long bytes)
    {
    }
}
