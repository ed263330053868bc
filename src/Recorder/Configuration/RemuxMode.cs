namespace HlsGateway.Recorder.Configuration;

/// <summary><c>Recorder:Remux</c>: what happens to a finished part.</summary>
public enum RemuxMode
{
    /// <summary>Stream-copy remux to MP4 with faststart; the raw part is deleted once ffprobe verified the MP4.</summary>
    Mp4,

    /// <summary>Keep the raw part (.ts / .m4s) as written.</summary>
    None,
}
