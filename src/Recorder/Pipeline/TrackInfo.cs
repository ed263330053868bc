namespace HlsGateway.Recorder.Pipeline;

/// <summary>
/// One rendition recorded alongside a part's video (an audio language, a subtitle language), as persisted in the
/// sidecar. Mutated only under the journal's lock.
/// </summary>
internal sealed class TrackInfo : ISegmentTally
{
    /// <summary>Stable id within the part, also in the file name: <c>audio-eng</c>, <c>eng</c> (subtitles).</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>EXT-X-MEDIA TYPE: AUDIO or SUBTITLES.</summary>
    public string Type { get; set; } = string.Empty;

    /// <summary>EXT-X-MEDIA NAME (what gap ledger entries of this rendition name).</summary>
    public string Name { get; set; } = string.Empty;

    public string? Language { get; set; }

    public bool IsDefault { get; set; }

    /// <summary>Raw segments as received, relative to the output root (.ts/.aac/.m4s audio, concatenated WebVTT).</summary>
    public string RawPath { get; set; } = string.Empty;

    /// <summary>Subtitles: the finished sidecar <c>.vtt</c>, relative to the output root, once written.</summary>
    public string? SidecarPath { get; set; }

    /// <summary>Bytes acknowledged (written and flushed); recovery truncates the file to this.</summary>
    public long Bytes { get; set; }

    public int Segments { get; set; }

    public double DurationSeconds { get; set; }

    public long FirstSequence { get; set; }

    public long LastSequence { get; set; }

    public string? InitUri { get; set; }

    public TrackInfo Clone() => (TrackInfo)MemberwiseClone();
}
