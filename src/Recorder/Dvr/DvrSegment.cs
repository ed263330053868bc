namespace HlsGateway.Recorder.Dvr;

/// <summary>
/// One recorded segment as the DVR playlist needs it: which part file, where its bytes are (the init section of an
/// fMP4 part is <c>[0, InitLength)</c>), how long it lasts and when it was on air (EXT-X-PROGRAM-DATE-TIME, else the
/// recording's clock). <see cref="Track"/> names the part's rendition track file (<see cref="Pipeline.TrackInfo.Id"/>)
/// the bytes are in; null: the video part file.
/// </summary>
internal sealed record DvrSegment(int Part, long Offset, long Length, double Duration, DateTimeOffset Wall, long InitLength, string? Track = null);
