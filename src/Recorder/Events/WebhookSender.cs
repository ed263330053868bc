using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using HlsGateway.Recorder.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace HlsGateway.Recorder.Events;

/// <summary>
/// Optional webhooks (<c>Recorder:Webhooks</c>): each event becomes a JSON envelope
/// <c>{type, id, time, data}</c> POSTed to every URL with <c>X-Webhook-Timestamp: &lt;unix seconds&gt;</c>, signed with
/// <c>X-Recorder-Signature: sha256=&lt;hex HMAC-SHA256(secret, "&lt;timestamp&gt;." + body)&gt;</c> (a receiver refuses
/// timestamps older than its tolerance, so a captured delivery cannot be replayed later: src/Recorder/README.md), retried
/// through a Polly pipeline with exponential backoff and jitter (a fresh timestamp and signature per attempt). Deliveries queue in a bounded channel drained by one loop (no fire-and-forget tasks);
/// when it is full, new deliveries are dropped and counted.
/// </summary>
internal sealed partial class WebhookSender : BackgroundService
{
    public const string HttpClientName = "recorder-webhooks";
    public const string SignatureHeader = "X-Recorder-Signature";
    public const string TimestampHeader = "X-Webhook-Timestamp";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly WebhookOptions _options;
    private readonly IHttpClientFactory _clients;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookSender> _logger;
    private readonly Channel<(string Url, string Type, byte[] Body)> _queue;
    private readonly IDisposable? _subscription;
    private readonly ResiliencePipeline<string?> _retry;
    private long _dropped, _delivered, _failed;

    public WebhookSender(IOptions<RecorderOptions> options, RecorderEventBus bus, IHttpClientFactory clients, TimeProvider time, ILogger<WebhookSender> logger)
    {
        _options = options.Value.Webhooks;
        _clients = clients;
        _time = time;
        _logger = logger;
        _retry = BuildRetry(_options, time);
        _queue = Channel.CreateBounded<(string, string, byte[])>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true });
        if (_options.Urls.Count > 0)
        {
            _subscription = bus.Subscribe(EnqueueAsync);
        }
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The body that is POSTed for <paramref name="e"/>.</summary>
    public static byte[] Envelope(RecorderEventArgs e) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["type"] = e.Type,
        ["id"] = e.Id,
        ["time"] = e.TimeUtc,
        ["data"] = e,
    }, Json);

    /// <summary><c>sha256=&lt;hex HMAC-SHA256(secret, "&lt;timestamp&gt;." + body)&gt;</c>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>
    /// The receiver's check: the signature matches (constant time) and the timestamp is within
    /// <paramref name="tolerance"/> of <paramref name="now"/> either way.
    /// </summary>
    public static bool Verify(string secret, string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestampHeader, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var timestamp)
            || signatureHeader is null || Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance.TotalSeconds)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)), Encoding.ASCII.GetBytes(signatureHeader));
    }

    private static ResiliencePipeline<string?> BuildRetry(WebhookOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<string?> { TimeProvider = time };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<string?>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is not null), // a failure description
            });
        }
        return builder.Build();
    }

    private ValueTask EnqueueAsync(RecorderEventArgs e, CancellationToken cancellationToken)
    {
        var body = Envelope(e);
        foreach (var url in _options.Urls)
        {
            if (!_queue.Writer.TryWrite((url, e.Type, body)))
            {
                Interlocked.Increment(ref _dropped);
                Log.Dropped(_logger, e.Type, url);
            }
        }
        return ValueTask.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (url, type, body) in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await DeliverAsync(url, type, body, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(string url, string type, byte[] body, CancellationToken ct)
    {
        var client = _clients.CreateClient(HttpClientName);
        var attempts = 0;
        var failure = await _retry.ExecuteAsync(async token =>
        {
            var attempt = ++attempts;
            var result = await AttemptAsync(client, url, body, token).ConfigureAwait(false);
            if (result is not null)
            {
                Log.Retry(_logger, type, url, attempt, result);
            }
            return result;
        }, ct).ConfigureAwait(false);
        if (failure is null)
        {
            Interlocked.Increment(ref _delivered);
            return;
        }
        Interlocked.Increment(ref _failed);
        Log.GaveUp(_logger, type, url, attempts);
    }

    /// <summary>One POST; null when the receiver accepted it, else what went wrong.</summary>
    private async ValueTask<string?> AttemptAsync(HttpClient client, string url, byte[] body, CancellationToken ct)
    {
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(_options.Timeout);
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.TryAddWithoutValidation(TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(_options.Secret))
            {
                request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(_options.Secret, timestamp, body));
            }
            using var response = await client.SendAsync(request, cts.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return "timeout";
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6020, EventName = "WebhookRetry", Level = LogLevel.Warning, Message = "Webhook {Type} to {Url} failed (attempt {Attempt}): {Failure}")]
        public static partial void Retry(ILogger logger, string type, string url, int attempt, string failure);

        [LoggerMessage(EventId = 6021, EventName = "WebhookGaveUp", Level = LogLevel.Error, Message = "Webhook {Type} to {Url} given up after {Attempts} attempts.")]
        public static partial void GaveUp(ILogger logger, string type, string url, int attempts);

        [LoggerMessage(EventId = 6022, EventName = "WebhookDropped", Level = LogLevel.Warning, Message = "Webhook queue full; dropped {Type} for {Url}.")]
        public static partial void Dropped(ILogger logger, string type, string url);
    }
}
