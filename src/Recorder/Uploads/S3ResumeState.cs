using System.Text.Json;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// What the S3 target keeps in the journal between attempts: the multipart upload id and the ETags of the parts S3
/// acknowledged. ListParts is asked first; this list is the fallback for servers without it.
/// </summary>
internal sealed class S3ResumeState
{
    public string UploadId { get; set; } = string.Empty;

    /// <summary>Part number → ETag as S3 returned it.</summary>
    public SortedDictionary<int, string> Parts { get; set; } = [];

    public string Serialize() => JsonSerializer.Serialize(this);

    public static S3ResumeState? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<S3ResumeState>(value);
        }
        catch (JsonException)
        {
            return null; // not ours (target changed): start a new upload
        }
    }
}
