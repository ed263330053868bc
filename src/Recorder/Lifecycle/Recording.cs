using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Remux;
using HlsGateway.Recorder.Sources;

namespace HlsGateway.Recorder.Lifecycle;

/// <summary>
/// One running recording: a loop that follows the stream and moves through the states
/// (checking → recording, back to checking on outage/stall with exponential backoff, stopped),
/// turning pipeline and follower signals into events and remux jobs.
/// </summary>
internal sealed partial class Recording : IRecordingObserver, IFollowerObserver
{
    private readonly RecordingDefinition _definition;
    private readonly RecorderOptions _options;
    private readonly RecordingSession _session;
    private readonly HttpClient _http;
    private readonly RecorderEventBus _bus;
    private readonly PartFinisher _finisher;
    private readonly RecordingTee _tee;
    private readonly IRecorderBaseAddress _baseAddress;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SegmentPipeline _pipeline = SegmentPipeline.CreateDefault();
    private readonly CancellationTokenSource _cts = new();
    private readonly bool _resumed;
    private PlaylistFollower? _follower;
    private Task _loop = Task.CompletedTask;
    private volatile RecordingState _state = RecordingState.Idle;
    private volatile string? _lastError;

    public Recording(RecordingDefinition definition, RecorderOptions options, RecordingJournal journal, HttpClient http, RecorderEventBus bus,
        PartFinisher finisher, RecordingTee tee, IRecorderBaseAddress baseAddress, TimeProvider time, ILogger logger)
    {
        _definition = definition;
        _options = options;
        _http = http;
        _bus = bus;
        _finisher = finisher;
        _tee = tee;
        _baseAddress = baseAddress;
        _time = time;
        _logger = logger;
        _resumed = journal.LastKey is not null;
        StartedUtc = time.GetUtcNow();
        _session = new RecordingSession(journal, options.OutputDirectory, options.FileNameTemplate,
            definition.SplitSeconds ?? options.SplitSeconds, definition.SplitBytes ?? options.SplitBytes, time, this);
    }

    public string Name => _definition.Name;

    public RecordingState State => _state;

    public DateTimeOffset StartedUtc { get; }

    public RecordingSession Session => _session;

    public void Start() => _loop = RunAsync(_cts.Token);

    /// <summary>Splits at the next segment boundary (thread-safe).</summary>
    public void RequestSplit() => _session.RequestSplit();

    /// <summary>Graceful stop: the open part is closed (and remuxed) and <c>record.end</c> published.</summary>
    public async Task StopAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        if (_state == RecordingState.Recording && _follower is not null)
        {
            using var catchUp = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _follower.CatchUpAsync(catchUp.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                Log.Problem(_logger, Name, "final playlist reload on stop failed: " + ex.Message);
            }
        }
        if (_state != RecordingState.Stopped)
        {
            ClosePartSafely("stopped");
            _state = RecordingState.Stopped;
            _bus.Publish(new RecordEndEventArgs(Name, _time.GetUtcNow(), "stopped", _session.SegmentsWritten, _session.BytesWritten));
        }
        _session.Dispose();
    }

    /// <summary>Stops without closing anything: the state a kill -9 leaves (tests of crash recovery).</summary>
    public async Task AbandonAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _session.Abandon();
        _state = RecordingState.Stopped;
    }

    public RecordingStatus Snapshot()
    {
        var (parts, gaps, last) = _session.Journal.Snapshot();
        return new RecordingStatus(Name, _definition.Url, _state, StartedUtc,
            parts.Sum(p => (long)p.Segments), parts.Sum(p => p.Bytes), parts.Sum(p => p.DurationSeconds), _session.Duplicates,
            gaps.Count, gaps.Sum(g => g.DurationSeconds), _session.CurrentPart?.RawPath, _lastError, last?.Media, last?.Epoch ?? 0, parts, gaps);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        await Task.Yield();
        _bus.Publish(new RecordStartEventArgs(Name, _time.GetUtcNow(), _definition.Url, _resumed));
        var delay = _options.RetryDelay;
        while (!ct.IsCancellationRequested)
        {
            _state = _state == RecordingState.Paused ? RecordingState.Paused : RecordingState.Checking;
            var wasLive = false;
            try
            {
                _follower ??= CreateFollower();
                if (_follower is null)
                {
                    _lastError = "no base URL for a gateway-path recording (set Recorder:BaseUrl)";
                }
                else
                {
                    var result = await _follower.RunAsync(ct).ConfigureAwait(false);
                    wasLive = _state == RecordingState.Recording;
                    if (result == FollowResult.Cancelled)
                    {
                        return;
                    }
                    if (wasLive || _session.CurrentPart is not null)
                    {
                        ClosePartSafely(result == FollowResult.Ended ? "ended" : "offline");
                        _bus.Publish(new StreamEndEventArgs(Name, _time.GetUtcNow(), result == FollowResult.Ended ? "ended" : "offline"));
                    }
                    if (result == FollowResult.Ended)
                    {
                        _state = RecordingState.Stopped;
                        _bus.Publish(new RecordEndEventArgs(Name, _time.GetUtcNow(), "ended", _session.SegmentsWritten, _session.BytesWritten));
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // disk full, unwritable directory, path refused: pause, keep the acknowledged bytes, retry later
                _state = RecordingState.Paused;
                _lastError = ex.Message;
                _bus.Publish(new RecorderErrorEventArgs(Name, _time.GetUtcNow(), "write", ex.Message));
                ClosePartSafely("write-error");
            }
            if (_state == RecordingState.Recording || wasLive)
            {
                delay = _options.RetryDelay;
            }
            if (_state != RecordingState.Paused)
            {
                _state = RecordingState.Checking;
            }
            Log.Retrying(_logger, Name, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
        }
    }

    private PlaylistFollower? CreateFollower()
    {
        Uri url;
        if (Uri.TryCreate(_definition.Url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            url = absolute;
        }
        else if (_baseAddress.BaseAddress is { } b)
        {
            url = new Uri(b, _definition.Url.TrimStart('/'));
        }
        else
        {
            return null;
        }
        return new PlaylistFollower(_http, url, _definition.Variant, _session, _pipeline, _tee, _time, _options.StallTargetDurations, this);
    }

    private void ClosePartSafely(string reason)
    {
        try
        {
            _session.ClosePart(reason);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _lastError = ex.Message;
            _bus.Publish(new RecorderErrorEventArgs(Name, _time.GetUtcNow(), "close", ex.Message));
            _session.Abandon(); // the sidecar still says open: recovery truncates to the acknowledged bytes
        }
    }

    void IRecordingObserver.PartOpened(PartInfo part) => Log.PartOpened(_logger, Name, part.Number, part.RawPath);

    void IRecordingObserver.PartClosed(PartInfo part) => _finisher.Enqueue(_session.Journal, part.Number);

    void IRecordingObserver.GapRecorded(GapEntry gap) => _bus.Publish(new RecordGapEventArgs(Name, _time.GetUtcNow(), gap));

    void IFollowerObserver.Live()
    {
        if (_state != RecordingState.Recording)
        {
            _state = RecordingState.Recording;
            _lastError = null;
            _bus.Publish(new StreamStartEventArgs(Name, _time.GetUtcNow(), _follower?.MediaPlaylistUrl?.ToString()));
        }
    }

    void IFollowerObserver.Stalled(TimeSpan since)
    {
        _state = RecordingState.Checking;
        _lastError = $"stalled: no new segment for {since.TotalSeconds:0} s";
        ClosePartSafely("stalled");
        _bus.Publish(new StreamEndEventArgs(Name, _time.GetUtcNow(), "stalled"));
    }

    void IFollowerObserver.Problem(string what)
    {
        _lastError = what;
        Log.Problem(_logger, Name, what);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6040, EventName = "PartOpened", Level = LogLevel.Debug, Message = "Recording {Recording}: part {Part} opened at {Path}.")]
        public static partial void PartOpened(ILogger logger, string recording, int part, string path);

        [LoggerMessage(EventId = 6041, EventName = "RecordingRetry", Level = LogLevel.Information, Message = "Recording {Recording}: stream not available, checking again in {Seconds} s.")]
        public static partial void Retrying(ILogger logger, string recording, double seconds);

        [LoggerMessage(EventId = 6042, EventName = "RecordingProblem", Level = LogLevel.Warning, Message = "Recording {Recording}: {Problem}")]
        public static partial void Problem(ILogger logger, string recording, string problem);
    }
}
