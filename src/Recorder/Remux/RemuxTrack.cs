namespace HlsGateway.Recorder.Remux;

/// <summary>A rendition's raw audio file muxed into the part's MP4 next to the video, with its language tag.</summary>
internal sealed record RemuxTrack(string FullPath, string? Language, string Name, bool IsDefault);
