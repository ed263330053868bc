using HlsGateway.Recorder.Storage;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Configuration;

/// <summary>Reports every <c>Recorder:*</c> error at once, each naming its key.</summary>
internal sealed class RecorderOptionsValidator : IValidateOptions<RecorderOptions>
{
    public ValidateOptionsResult Validate(string? name, RecorderOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.OutputDirectory))
        {
            errors.Add("Recorder:OutputDirectory: must not be empty.");
        }
        if (!string.IsNullOrWhiteSpace(options.BaseUrl) && !IsHttpUrl(options.BaseUrl))
        {
            errors.Add($"Recorder:BaseUrl: '{options.BaseUrl}' is not an absolute http(s) URL.");
        }
        if (options.SplitSeconds < 0 || double.IsNaN(options.SplitSeconds))
        {
            errors.Add("Recorder:SplitSeconds: must be 0 (off) or positive.");
        }
        if (options.SplitBytes < 0)
        {
            errors.Add("Recorder:SplitBytes: must be 0 (off) or positive.");
        }
        if (!FileNameTemplate.TryValidate(options.FileNameTemplate, out var templateError))
        {
            errors.Add($"Recorder:FileNameTemplate: {templateError}");
        }
        if (options.FfmpegNice is < 0 or > 19)
        {
            errors.Add("Recorder:FfmpegNice: must be between 0 (normal priority) and 19 (lowest).");
        }
        if (options.StallTargetDurations is < 1 or > 1000)
        {
            errors.Add("Recorder:StallTargetDurations: must be between 1 and 1000.");
        }
        if (options.ChannelCapacity is < 1 or > 100_000)
        {
            errors.Add("Recorder:ChannelCapacity: must be between 1 and 100000.");
        }
        if (options.RetryDelay <= TimeSpan.Zero)
        {
            errors.Add("Recorder:RetryDelay: must be a positive duration.");
        }
        if (options.MaxRetryDelay < options.RetryDelay)
        {
            errors.Add("Recorder:MaxRetryDelay: must be at least Recorder:RetryDelay.");
        }
        if (options.LeasePeriod < TimeSpan.FromSeconds(1) || options.LeasePeriod > TimeSpan.FromMinutes(10))
        {
            errors.Add("Recorder:LeasePeriod: must be between 00:00:01 and 00:10:00.");
        }
        if (options.InstanceId is { Length: > 128 })
        {
            errors.Add("Recorder:InstanceId: must be at most 128 characters.");
        }
        if (options.Dvr.RetentionWindow < TimeSpan.Zero || options.Dvr.RetentionWindow > TimeSpan.FromDays(30))
        {
            errors.Add("Recorder:Dvr:RetentionWindow: must be between 00:00:00 (raw segments deleted after the remux) and 30.00:00:00.");
        }
        if (!Enum.IsDefined(options.Renditions.Audio))
        {
            errors.Add($"Recorder:Renditions:Audio: '{options.Renditions.Audio}' must be Default, All or None.");
        }
        if (!Enum.IsDefined(options.Renditions.Subtitles))
        {
            errors.Add($"Recorder:Renditions:Subtitles: '{options.Renditions.Subtitles}' must be Sidecar or None.");
        }
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Recordings.Count; i++)
        {
            foreach (var error in ValidateDefinition(options.Recordings[i], $"Recorder:Recordings:{i}"))
            {
                errors.Add(error);
            }
            if (!names.Add(options.Recordings[i].Name))
            {
                errors.Add($"Recorder:Recordings:{i}:Name: '{options.Recordings[i].Name}' is used twice.");
            }
        }
        var w = options.Webhooks;
        for (var i = 0; i < w.Urls.Count; i++)
        {
            if (!IsHttpUrl(w.Urls[i]))
            {
                errors.Add($"Recorder:Webhooks:Urls:{i}: '{w.Urls[i]}' is not an absolute http(s) URL.");
            }
        }
        if (w.MaxAttempts is < 1 or > 20)
        {
            errors.Add("Recorder:Webhooks:MaxAttempts: must be between 1 and 20.");
        }
        if (w.RetryDelay <= TimeSpan.Zero || w.Timeout <= TimeSpan.Zero)
        {
            errors.Add("Recorder:Webhooks:RetryDelay and Recorder:Webhooks:Timeout: must be positive durations.");
        }
        if (w.QueueCapacity is < 1 or > 1_000_000)
        {
            errors.Add("Recorder:Webhooks:QueueCapacity: must be between 1 and 1000000.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Errors of one recording definition (also used by the admin API), each prefixed with <paramref name="key"/>.</summary>
    public static IEnumerable<string> ValidateDefinition(RecordingDefinition d, string key)
    {
        if (!OutputPathGuard.IsSafeName(d.Name))
        {
            yield return $"{key}:Name: '{d.Name}' must be 1-64 letters, digits, '-' or '_'.";
        }
        if (string.IsNullOrWhiteSpace(d.Url))
        {
            yield return $"{key}:Url: must not be empty.";
        }
        else if (d.Url.StartsWith('/'))
        {
            if (d.Url.Contains("/../", StringComparison.Ordinal) || d.Url.EndsWith("/..", StringComparison.Ordinal) || d.Url.StartsWith("//", StringComparison.Ordinal))
            {
                yield return $"{key}:Url: '{d.Url}' must be a plain gateway path.";
            }
        }
        else if (!IsHttpUrl(d.Url))
        {
            yield return $"{key}:Url: '{d.Url}' is neither a gateway path (/hls/<origin>/<path>) nor an absolute http(s) URL.";
        }
        if (!(d.Variant is null || d.Variant.Equals("best", StringComparison.OrdinalIgnoreCase) || d.Variant.Equals("lowest", StringComparison.OrdinalIgnoreCase)
            || long.TryParse(d.Variant, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            yield return $"{key}:Variant: '{d.Variant}' must be best, lowest or a bandwidth in bit/s.";
        }
        if (d.SplitSeconds is < 0)
        {
            yield return $"{key}:SplitSeconds: must be 0 (off) or positive.";
        }
        if (d.SplitBytes is < 0)
        {
            yield return $"{key}:SplitBytes: must be 0 (off) or positive.";
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
