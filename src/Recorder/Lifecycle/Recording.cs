using HlsGateway.Recorder.Configuration;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Leases;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Remux;
using HlsGateway.Recorder.Sources;
using Polly;
using Polly.Retry;

namespace HlsGateway.Recorder.Lifecycle;

/// <summary>
/// One running recording: a loop that holds the recording's lease (standby until it does), follows the
/// stream and moves through the states (standby → checking → recording, back to checking on outage/stall
/// with exponential backoff with jitter (Polly), back to standby when another instance holds the lease, stopped), turning
/// pipeline and follower signals into events, metrics and remux jobs.
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
    private readonly RecordingLease _lease;
    private readonly IRecorderMetrics _metrics;
    private readonly Action _stateChanged;
    private readonly SegmentPipeline _pipeline = SegmentPipeline.CreateDefault();
    private readonly CancellationTokenSource _cts = new();
    private readonly ResiliencePipeline<Attempt> _offlineRetry;
    private bool _waitFirst;
    private bool _resumed;
    private PlaylistFollower? _follower;
    private Task _loop = Task.CompletedTask;
    private volatile RecordingState _state = RecordingState.Idle;
    private volatile string? _lastError;

    public Recording(RecordingDefinition definition, RecorderOptions options, RecordingJournal journal, HttpClient http, RecorderEventBus bus,
        PartFinisher finisher, RecordingTee tee, IRecorderBaseAddress baseAddress, TimeProvider time, ILogger logger,
        IRecordingLeaseStore leases, string instanceId, IRecorderMetrics metrics, Action stateChanged)
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
        _metrics = metrics;
        _stateChanged = stateChanged;
        _lease = new RecordingLease(leases, definition.Name, instanceId, options.LeasePeriod, Progress, time, logger);
        _offlineRetry = BuildOfflineRetry();
    }

    public string Name => _definition.Name;

    public RecordingState State => _state;

    /// <summary>Who holds this recording's lease, as last seen.</summary>
    public string? LeaseHolder => _lease.Holder;

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
        if (_state == RecordingState.Standby)
        {
            SetState(RecordingState.Stopped); // never started here: no record.end
        }
        else if (_state != RecordingState.Stopped)
        {
            ClosePartSafely("stopped");
            SetState(RecordingState.Stopped);
            _bus.Publish(new RecordEndEventArgs(Name, _time.GetUtcNow(), "stopped", _session.SegmentsWritten, _session.BytesWritten));
        }
        await _lease.ReleaseAsync().ConfigureAwait(false); // after the last segment, so the progress the next holder gets is final
        _session.Dispose();
        _lease.Dispose();
    }

    /// <summary>Stops without closing anything: the state a kill -9 leaves (tests of crash recovery).</summary>
    public async Task AbandonAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _lease.AbandonAsync().ConfigureAwait(false); // no release: the lease runs out as if the process had died
        _session.Abandon();
        SetState(RecordingState.Stopped);
    }

    public RecordingStatus Snapshot()
    {
        var (parts, gaps, last) = _session.Journal.Snapshot();
        return new RecordingStatus(Name, _definition.Url, _state, StartedUtc,
            parts.Sum(p => (long)p.Segments), parts.Sum(p => p.Bytes), parts.Sum(p => p.DurationSeconds), _session.Duplicates,
            gaps.Count, gaps.Sum(g => g.DurationSeconds), _session.CurrentPart?.RawPath, _lastError, last?.Media, last?.Epoch ?? 0, parts, gaps, _lease.Holder)
        {
            Renditions = _follower?.Renditions ?? [],
        };
    }

    private async Task RunAsync(CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            if (!_lease.IsHeld && !await AcquireLeaseAsync(ct).ConfigureAwait(false))
            {
                return;
            }
            using var hold = CancellationTokenSource.CreateLinkedTokenSource(ct, _lease.HoldToken);
            SetState(_state == RecordingState.Paused ? RecordingState.Paused : RecordingState.Checking);
            Attempt outcome;
            try
            {
                // one outage: attempts until the stream was live again, backing off through Polly (exponential, jittered)
                outcome = await _offlineRetry.ExecuteAsync(static (self, token) => self.AttemptAsync(token), this, hold.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                LeaseLost(); // the lease was lost while waiting for the next attempt
                continue;
            }
            switch (outcome)
            {
                case Attempt.Done:
                    return;
                case Attempt.LeaseLost:
                    LeaseLost();
                    break;
                case Attempt.WasLive:
                    _waitFirst = true; // a new outage starts again from Recorder:RetryDelay
                    break;
            }
        }
    }

    /// <summary>
    /// One follow of the stream, until it ends, goes offline or stalls. <see cref="Attempt.Offline"/> is retried by
    /// <see cref="_offlineRetry"/>; an attempt that was live ends the outage, so the next one backs off from the start.
    /// </summary>
    private async ValueTask<Attempt> AttemptAsync(CancellationToken hold)
    {
        if (_waitFirst)
        {
            _waitFirst = false;
            return Attempt.Offline; // just went offline: the first check waits Recorder:RetryDelay too (Polly's first delay)
        }
        var ct = _cts.Token;
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
                var result = await _follower.RunAsync(hold).ConfigureAwait(false);
                wasLive = _state == RecordingState.Recording;
                if (result == FollowResult.Cancelled)
                {
                    return ct.IsCancellationRequested ? Attempt.Done : Attempt.LeaseLost;
                }
                if (wasLive || _session.CurrentPart is not null)
                {
                    ClosePartSafely(result == FollowResult.Ended ? "ended" : "offline");
                    _bus.Publish(new StreamEndEventArgs(Name, _time.GetUtcNow(), result == FollowResult.Ended ? "ended" : "offline"));
                }
                if (result == FollowResult.Ended)
                {
                    SetState(RecordingState.Stopped);
                    _bus.Publish(new RecordEndEventArgs(Name, _time.GetUtcNow(), "ended", _session.SegmentsWritten, _session.BytesWritten));
                    await _lease.ReleaseAsync().ConfigureAwait(false);
                    return Attempt.Done;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Attempt.Done;
        }
        catch (OperationCanceledException) when (hold.IsCancellationRequested)
        {
            return Attempt.LeaseLost;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // disk full, unwritable directory, path refused: pause, keep the acknowledged bytes, retry later
            SetState(RecordingState.Paused);
            _lastError = ex.Message;
            _bus.Publish(new RecorderErrorEventArgs(Name, _time.GetUtcNow(), "write", ex.Message));
            ClosePartSafely("write-error");
        }
        return wasLive || _state == RecordingState.Recording ? Attempt.WasLive : Attempt.Offline;
    }

    private ResiliencePipeline<Attempt> BuildOfflineRetry() => new ResiliencePipelineBuilder<Attempt> { TimeProvider = _time }
        .AddRetry(new RetryStrategyOptions<Attempt>
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true, // recordings of one origin that went down together do not all check it at the same instant
            Delay = _options.RetryDelay,
            MaxDelay = _options.MaxRetryDelay,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is null && args.Outcome.Result == Attempt.Offline),
            OnRetry = args =>
            {
                if (_state != RecordingState.Paused)
                {
                    SetState(RecordingState.Checking);
                }
                Log.Retrying(_logger, Name, args.RetryDelay.TotalSeconds);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    private enum Attempt
    {
        Offline,
        WasLive,
        LeaseLost,
        Done,
    }

    /// <summary>
    /// Standby until this instance holds the lease, trying every third of the lease period (an unreachable
    /// store means no start: a standby never records without the lease). Then <c>record.start</c>, and after
    /// a takeover the recording continues after the previous holder's progress. False when cancelled.
    /// </summary>
    private async Task<bool> AcquireLeaseAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var attempt = await _lease.TryAcquireAsync(ct).ConfigureAwait(false);
                if (attempt.Outcome == LeaseOutcome.Held)
                {
                    var takeover = false;
                    if (attempt.Progress is { } p)
                    {
                        takeover = _session.ContinueAfter(p.Discontinuity, p.Media);
                    }
                    _resumed |= takeover || _session.LastKey is not null;
                    _bus.Publish(new RecordStartEventArgs(Name, _time.GetUtcNow(), _definition.Url, _resumed) { Takeover = takeover, Instance = _lease.Owner });
                    return true;
                }
                if (_state != RecordingState.Standby)
                {
                    SetState(RecordingState.Standby);
                    Log.Standby(_logger, Name, attempt.Holder ?? "nobody reachable (lease store unavailable)");
                }
                await Task.Delay(_lease.Interval, _time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Another instance holds the lease now: close the part and stand by.</summary>
    private void LeaseLost()
    {
        var wasLive = _state == RecordingState.Recording;
        ClosePartSafely("lease-lost");
        if (wasLive)
        {
            _bus.Publish(new StreamEndEventArgs(Name, _time.GetUtcNow(), "lease-lost"));
        }
        _bus.Publish(new RecordEndEventArgs(Name, _time.GetUtcNow(), "lease-lost", _session.SegmentsWritten, _session.BytesWritten));
        SetState(RecordingState.Standby);
    }

    private LeaseProgress? Progress()
    {
        lock (_session.Journal.Sync)
        {
            return _session.Journal.LastKey is { } k ? new LeaseProgress(k.Discontinuity, k.Media) : null;
        }
    }

    private void SetState(RecordingState state)
    {
        if (_state != state)
        {
            _state = state;
            _stateChanged();
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
        return new PlaylistFollower(_http, url, _definition.Variant, _session, _pipeline, _tee, _time, _options.StallTargetDurations, this, _options.Renditions);
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

    void IRecordingObserver.GapStarted(GapEntry gap) => _metrics.Gap();

    void IRecordingObserver.SegmentWritten(long bytes) => _metrics.SegmentWritten(bytes);

    void IFollowerObserver.Live()
    {
        if (_state != RecordingState.Recording)
        {
            SetState(RecordingState.Recording);
            _lastError = null;
            _bus.Publish(new StreamStartEventArgs(Name, _time.GetUtcNow(), _follower?.MediaPlaylistUrl?.ToString()));
        }
    }

    void IFollowerObserver.Stalled(TimeSpan since)
    {
        SetState(RecordingState.Checking);
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

        [LoggerMessage(EventId = 6043, EventName = "RecordingStandby", Level = LogLevel.Information, Message = "Recording {Recording}: standing by, the lease is held by {Holder}.")]
        public static partial void Standby(ILogger logger, string recording, string holder);
    }
}
