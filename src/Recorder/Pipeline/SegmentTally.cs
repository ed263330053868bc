namespace HlsGateway.Recorder.Pipeline;

/// <summary>What a part and each of its rendition tracks count of the segments written to them.</summary>
internal interface ISegmentTally
{
    long FirstSequence { get; set; }

    long LastSequence { get; set; }

    int Segments { get; set; }

    long Bytes { get; set; }

    double DurationSeconds { get; set; }
}

internal static class SegmentTally
{
    /// <summary>Counts one written segment (under the journal's lock).</summary>
    public static void Add(this ISegmentTally tally, long mediaSequence, long bytes, double duration)
    {
        if (tally.Segments == 0)
        {
            tally.FirstSequence = mediaSequence;
        }
        tally.Segments++;
        tally.Bytes += bytes;
        tally.DurationSeconds += duration;
        tally.LastSequence = mediaSequence;
    }
}
