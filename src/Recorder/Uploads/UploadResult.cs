namespace HlsGateway.Recorder.Uploads;

/// <summary>A finished upload: where it went and the SHA-256 (lower-case hex) of what the target holds (re-read or reported).</summary>
internal sealed record UploadResult(string RemoteId, string VerifiedSha256);
