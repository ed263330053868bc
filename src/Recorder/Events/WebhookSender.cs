using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using HlsGateway.Recorder.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Events;

/// <summary>
/// Optional webhooks (<c>Recorder:Webhooks</c>): each event becomes a JSON envelope
/// <c>{type, id, time, data}</c> POSTed to every URL, signed with
/// <c>X-Recorder-Signature: sha256=&lt;hex HMAC-SHA256(secret, body)&gt;</c>, retried with exponential
/// backoff. Deliveries queue in a bounded channel drained by one loop (no fire-and-forget tasks);
/// when it is full, new deliveries are dropped and counted.
/// </summary>
internal sealed partial class WebhookSender : BackgroundService
{
    public const string HttpClientName = "recorder-webhooks";
    public const string SignatureHeader = "X-Recorder-Signature";

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
    private long _dropped, _delivered, _failed;

    public WebhookSender(IOptions<RecorderOptions> options, RecorderEventBus bus, IHttpClientFactory clients, TimeProvider time, ILogger<WebhookSender> logger)
    {
        _options = options.Value.Webhooks;
        _clients = clients;
        _time = time;
        _logger = logger;
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

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

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
        var delay = _options.RetryDelay;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            string failure;
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(_options.Timeout);
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                if (!string.IsNullOrEmpty(_options.Secret))
                {
                    request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(_options.Secret, body));
                }
                using var response = await client.SendAsync(request, cts.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _delivered);
                    return;
                }
                failure = $"HTTP {(int)response.StatusCode}";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                failure = "timeout";
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
            }
            Log.Retry(_logger, type, url, attempt, failure);
            if (attempt < _options.MaxAttempts)
            {
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                delay *= 2;
            }
        }
        Interlocked.Increment(ref _failed);
        Log.GaveUp(_logger, type, url, _options.MaxAttempts);
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
