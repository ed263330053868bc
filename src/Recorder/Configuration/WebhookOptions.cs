namespace HlsGateway.Recorder.Configuration;

/// <summary><c>Recorder:Webhooks</c>: optional POSTs of every recorder event.</summary>
public sealed class WebhookOptions
{
    /// <summary>Absolute http(s) URLs that receive every event. Empty: webhooks off.</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>Secret for the <c>X-Recorder-Signature: sha256=&lt;hex&gt;</c> HMAC-SHA256 header over <c>&lt;X-Webhook-Timestamp&gt;.&lt;body&gt;</c>. Empty: unsigned.</summary>
    public string? Secret { get; set; }

    /// <summary>Delivery attempts per event and URL. Default 4.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>First retry delay; grows exponentially with jitter (Polly) up to <see cref="MaxRetryDelay"/>. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest retry delay. Default 1 min.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Per-request timeout. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Pending deliveries kept before new events are dropped (counted). Default 1000.</summary>
    public int QueueCapacity { get; set; } = 1000;
}
