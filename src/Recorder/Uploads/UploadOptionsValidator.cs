using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Uploads;

/// <summary>Reports every <c>Recorder:Upload:*</c> error at once, each naming its key.</summary>
internal sealed class UploadOptionsValidator : IValidateOptions<UploadOptions>
{
    public ValidateOptionsResult Validate(string? name, UploadOptions o)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(o.Target))
        {
            errors.Add("Recorder:Upload:Target: must be none, directory, tus or s3.");
        }
        if (o.Concurrency is < 1 or > 64)
        {
            errors.Add("Recorder:Upload:Concurrency: must be between 1 and 64.");
        }
        if (o.MaxAttempts is < 1 or > 100)
        {
            errors.Add("Recorder:Upload:MaxAttempts: must be between 1 and 100.");
        }
        if (o.RetryDelay <= TimeSpan.Zero)
        {
            errors.Add("Recorder:Upload:RetryDelay: must be a positive duration.");
        }
        if (o.MaxRetryDelay < o.RetryDelay)
        {
            errors.Add("Recorder:Upload:MaxRetryDelay: must be at least Recorder:Upload:RetryDelay.");
        }
        if (o.MinFreeBytes < 0)
        {
            errors.Add("Recorder:Upload:MinFreeBytes: must be 0 or positive.");
        }
        if (o.ChunkSize is < 1024 or > 512 * 1024 * 1024)
        {
            errors.Add("Recorder:Upload:ChunkSize: must be between 1024 and 536870912 bytes.");
        }
        if (o.MaxBytesPerSecond is < 0 or (> 0 and < 65536))
        {
            errors.Add("Recorder:Upload:MaxBytesPerSecond: must be 0 (unlimited) or at least 65536 bytes per second.");
        }
        if (o.MinBytesPerSecond is < 0 or (> 0 and < 1024 * 1024))
        {
            // below one second's worth of the largest piece (1 MiB) the floor would never cover a piece
            errors.Add("Recorder:Upload:MinBytesPerSecond: must be 0 (no floor) or at least 1048576 bytes per second.");
        }
        if (!Enum.IsDefined(o.CpuPriority))
        {
            errors.Add("Recorder:Upload:CpuPriority: must be Normal, Low or Idle.");
        }
        if (o.BusyMaxBytesPerSecond is < 0 or (> 0 and < 65536))
        {
            errors.Add("Recorder:Upload:BusyMaxBytesPerSecond: must be 0 (no busy cap) or at least 65536 bytes per second.");
        }
        if (o.BusyRequestsPerSecond < 1)
        {
            errors.Add("Recorder:Upload:BusyRequestsPerSecond: must be at least 1.");
        }
        if (o.ProgressInterval < TimeSpan.Zero)
        {
            errors.Add("Recorder:Upload:ProgressInterval: must not be negative.");
        }
        if (o.KeepDone < 0)
        {
            errors.Add("Recorder:Upload:KeepDone: must be 0 or positive.");
        }
        switch (o.Target)
        {
            case UploadTargetKind.Directory when string.IsNullOrWhiteSpace(o.Directory):
                errors.Add("Recorder:Upload:Directory: required when Recorder:Upload:Target is directory.");
                break;
            case UploadTargetKind.Tus when !IsHttpUrl(o.TusUrl):
                errors.Add($"Recorder:Upload:TusUrl: '{o.TusUrl}' is not an absolute http(s) URL (required when Recorder:Upload:Target is tus).");
                break;
            case UploadTargetKind.S3:
                if (string.IsNullOrWhiteSpace(o.S3.Bucket))
                {
                    errors.Add("Recorder:Upload:S3:Bucket: required when Recorder:Upload:Target is s3.");
                }
                if (!string.IsNullOrWhiteSpace(o.S3.ServiceUrl) && !IsHttpUrl(o.S3.ServiceUrl))
                {
                    errors.Add("Recorder:Upload:S3:ServiceUrl: not an absolute http(s) URL.");
                }
                if (string.IsNullOrEmpty(o.S3.AccessKey) != string.IsNullOrEmpty(o.S3.SecretKey))
                {
                    // never echo the values: they are secrets
                    errors.Add("Recorder:Upload:S3:AccessKey and Recorder:Upload:S3:SecretKey: set both or neither.");
                }
                if (o.S3.PartSize < 5 * 1024 * 1024)
                {
                    errors.Add("Recorder:Upload:S3:PartSize: must be at least 5242880 (S3's minimum part size).");
                }
                break;
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
