namespace HlsGateway.Recorder.Pipeline;

/// <summary>What a rendition's track file in each part is: its id (file name tag), rendition and file extension.</summary>
internal sealed record TrackSpec(string Id, string Type, string Name, string? Language, bool IsDefault, string Extension);
