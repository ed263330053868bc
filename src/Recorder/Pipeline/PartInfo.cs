namespace HlsGateway.Recorder.Pipeline;

/// <summary>One output part as persisted in the sidecar. Mutated only under the journal's lock.</summary>
internal sealed class PartInfo : ISegmentTally
{
    public int Number { get; set; }

    /// <summary>Raw file, relative to the output root (.ts, or .m4s for fMP4).</summary>
    public string RawPath { get; set; } = string.Empty;

    /// <summary>Remuxed MP4, relative to the output root, once it exists.</summary>
    public string? Mp4Path { get; set; }

    public PartState State { get; set; }

    public DateTimeOffset StartUtc { get; set; }

    public DateTimeOffset? EndUtc { get; set; }

    public double DurationSeconds { get; set; }

    /// <summary>EXT-X-PROGRAM-DATE-TIME of the first segment, when the origin sends it (wall-clock start of the media).</summary>
    public DateTimeOffset? ProgramDateTime { get; set; }

    /// <summary>Bytes acknowledged (written and flushed); a crash may leave more in the file, which recovery truncates.</summary>
    public long Bytes { get; set; }

    public int Segments { get; set; }

    public long Epoch { get; set; }

    public long FirstSequence { get; set; }

    public long LastSequence { get; set; }

    public long Discontinuity { get; set; }

    public string? InitUri { get; set; }

    /// <summary>Key URIs of AES-128 / SAMPLE-AES segments recorded as received (the recording needs them to play).</summary>
    public List<string> KeyUris { get; set; } = [];

    /// <summary>Renditions recorded with this part (demuxed audio, subtitles), each in its own file next to the raw part.</summary>
    public List<TrackInfo> Tracks { get; set; } = [];

    /// <summary>Why the part ended (split-time, discontinuity, ...).</summary>
    public string? CloseReason { get; set; }

    /// <summary>ffprobe duration of the MP4.</summary>
    public double? ProbedSeconds { get; set; }

    public string? Error { get; set; }

    public PartInfo Clone()
    {
        var copy = (PartInfo)MemberwiseClone();
        copy.KeyUris = [.. KeyUris];
        copy.Tracks = Tracks.Select(t => t.Clone()).ToList();
        return copy;
    }
}
