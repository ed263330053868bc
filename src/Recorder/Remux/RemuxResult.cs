namespace HlsGateway.Recorder.Remux;

/// <summary>Outcome of finishing one part; failures keep the raw file.</summary>
internal readonly record struct RemuxResult(bool Ok, string? Mp4FullPath, double? ProbedSeconds, string? Error);
