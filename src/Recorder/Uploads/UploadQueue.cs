using HlsGateway.Monitor.Metrics;
using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// Uploads finished parts while recording goes on. Every <c>record.part</c> event queues its file; the queue
/// is the journal under <c>&lt;output root&gt;/.uploads/</c>, so queued and half-uploaded parts resume after a
/// restart (with the target's resume token). <c>Recorder:Upload:Concurrency</c> workers take the oldest queued
/// part first; each part gets <c>Recorder:Upload:MaxAttempts</c> attempts (exponential backoff with jitter),
/// then goes to <see cref="UploadState.Failed"/> with the last reason. A part counts as uploaded only when the
/// SHA-256 the target reports (re-read) equals the local one; only then may the local file be deleted.
/// Feeds <see cref="IRecorderMetrics"/>: bytes as the target acknowledges them, every failed attempt, and the
/// number of pending (queued or uploading) parts.
/// </summary>
internal sealed partial class UploadQueue : BackgroundService, IUploadStatusSource
{
    private readonly UploadOptions _options;
    private readonly string _root;
    private readonly IUploadTarget _target;
    private readonly RecorderEventBus _bus;
    private readonly TimeProvider _time;
    private readonly ILogger<UploadQueue> _logger;
    private readonly UploadJournal _journal;
    private readonly ResiliencePipeline _retry;
    private readonly Lock _lock = new();
    private readonly List<UploadItem> _items;
    private readonly Dictionary<UploadItem, Live> _live = [];
    private readonly SemaphoreSlim _signal = new(0);
    private readonly IDisposable? _subscription;
    private readonly IRecorderMetrics _metrics;
    private readonly UploadThreads _threads;
    private readonly UploadBandwidth _bandwidth;
    private long _bytesUploaded, _failures;

    public UploadQueue(IOptions<UploadOptions> options, IOptions<RecorderOptions> recorder, IUploadTarget target, RecorderEventBus bus, TimeProvider time, ILogger<UploadQueue> logger,
        IRecorderMetrics? metrics = null, UploadThreads? threads = null, UploadBandwidth? bandwidth = null)
    {
        _bandwidth = bandwidth ?? UploadBandwidth.Unlimited;
        _threads = threads ?? UploadThreads.Shared;
        _metrics = metrics ?? NullRecorderMetrics.Instance;
        _options = options.Value;
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(recorder.Value.OutputDirectory));
        _target = target;
        _bus = bus;
        _time = time;
        _logger = logger;
        _journal = new UploadJournal(_root);
        _items = _journal.Load();
        foreach (var item in _items.Where(i => i.State == UploadState.Uploading))
        {
            item.State = UploadState.Queued; // interrupted by a crash or stop: resumes with its token
        }
        _retry = BuildRetry(_options, time);
        ReportQueueLength(); // parts a previous run left pending
        if (_options.Target != UploadTargetKind.None)
        {
            _subscription = bus.Subscribe(OnEventAsync);
        }
    }

    public string JournalPath => _journal.Path;

    public long BytesUploaded => Interlocked.Read(ref _bytesUploaded);

    public long Failures => Interlocked.Read(ref _failures);

    public IReadOnlyList<UploadStatus> Snapshot()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            return _items.OrderBy(i => i.Sequence).Select(i =>
            {
                double speed = 0;
                double? eta = null;
                if (i.State == UploadState.Uploading && _live.TryGetValue(i, out var live))
                {
                    var seconds = _time.GetElapsedTime(live.StartTimestamp, now).TotalSeconds;
                    speed = seconds > 0 ? (i.BytesSent - live.StartBytes) / seconds : 0;
                    eta = speed > 0 ? (i.Bytes - i.BytesSent) / speed : null;
                }
                return new UploadStatus(i.Recording, i.Part, i.Path, i.State, i.Bytes, i.BytesSent, speed, eta, i.Attempts, i.RemoteId, i.Error, i.EnqueuedUtc, i.CompletedUtc);
            }).ToList();
        }
    }

    /// <summary>Queues <paramref name="relativePath"/> (relative to the output root); false when it is already queued or unusable.</summary>
    public bool Enqueue(string recording, int part, string relativePath)
    {
        var normalized = relativePath.Replace('\\', '/');
        var full = Path.GetFullPath(Path.Combine(_root, normalized));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(full))
        {
            Log.Rejected(_logger, recording, part, normalized);
            return false;
        }
        lock (_lock)
        {
            if (_items.Any(i => i.Path == normalized && i.State != UploadState.Failed))
            {
                return false;
            }
            _items.RemoveAll(i => i.Path == normalized); // a failed part queued again starts over
            _items.Add(new UploadItem
            {
                Sequence = _items.Count == 0 ? 1 : _items.Max(i => i.Sequence) + 1,
                Recording = recording,
                Part = part,
                Path = normalized,
                Bytes = new FileInfo(full).Length,
                EnqueuedUtc = _time.GetUtcNow(),
            });
            _journal.Save(_items);
            ReportQueueLength();
        }
        Log.Queued(_logger, recording, part, normalized);
        _signal.Release();
        return true;
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        _signal.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Target == UploadTargetKind.None)
        {
            return;
        }
        var workers = new Task[_options.Concurrency];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = WorkerAsync(stoppingToken);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private ValueTask OnEventAsync(RecorderEventArgs e, CancellationToken cancellationToken)
    {
        if (e is RecordPartEventArgs { Part: var p } && p.State is PartState.Remuxed or PartState.Kept or PartState.RemuxFailed)
        {
            var path = p.State == PartState.Remuxed && p.Mp4Path is not null ? p.Mp4Path : p.RawPath;
            Enqueue(e.Recording, p.Number, path);
            // subtitle sidecars go with their part: a recording keeps every rendition, uploaded ones too
            foreach (var track in p.Tracks)
            {
                if (track.SidecarPath is { } sidecar)
                {
                    Enqueue(e.Recording, p.Number, sidecar);
                }
            }
        }
        return ValueTask.CompletedTask;
    }

    private async Task WorkerAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await _bandwidth.WhenRunningAsync(cancellationToken).ConfigureAwait(false); // paused: start nothing
                var item = TakeNext();
                if (item is null)
                {
                    await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                try
                {
                    await ProcessAsync(item, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // journal I/O and the like: the part stays queued for the next round
                    Log.WorkerFailed(_logger, ex, item.Recording, item.Part);
                    lock (_lock)
                    {
                        item.State = UploadState.Queued;
                    }
                    await Task.Delay(_options.RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private UploadItem? TakeNext()
    {
        lock (_lock)
        {
            UploadItem? next = null;
            foreach (var item in _items)
            {
                if (item.State == UploadState.Queued && (next is null || item.Sequence < next.Sequence))
                {
                    next = item;
                }
            }
            if (next is not null)
            {
                next.State = UploadState.Uploading;
                next.StartedUtc ??= _time.GetUtcNow();
                _journal.Save(_items);
            }
            return next;
        }
    }

    private async Task ProcessAsync(UploadItem item, CancellationToken cancellationToken)
    {
        var full = Path.Combine(_root, item.Path);
        if (!File.Exists(full))
        {
            CountFailure();
            Finish(item, failure: "local file is missing");
            return;
        }
        if (item.Sha256 is null)
        {
            var sha = await FileHashing.Sha256FileAsync(full, _threads, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                item.Sha256 = sha;
                _journal.Save(_items);
            }
        }
        var progress = new ProgressSink(this, item);
        try
        {
            var result = await _retry.ExecuteAsync(async ct => await AttemptAsync(item, full, progress, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            var deleted = false;
            if (_options.DeleteAfterUpload)
            {
                // reached only after the target's checksum matched the local one
                File.Delete(full);
                deleted = true;
            }
            lock (_lock)
            {
                item.State = UploadState.Done;
                item.RemoteId = result.RemoteId;
                item.BytesSent = item.Bytes;
                item.CompletedUtc = _time.GetUtcNow();
                item.Error = null;
                item.LocalDeleted = deleted;
                _live.Remove(item);
                PruneDone();
                _journal.Save(_items);
                ReportQueueLength();
            }
            Log.Uploaded(_logger, item.Recording, item.Part, item.Path, _target.Name, item.Bytes, deleted);
            _bus.Publish(new UploadEndEventArgs(item.Recording, _time.GetUtcNow(), item.Part, item.Path, result.RemoteId, result.VerifiedSha256, item.Bytes, deleted));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lock (_lock)
            {
                item.State = UploadState.Queued; // resumes on the next start
                _live.Remove(item);
                _journal.Save(_items);
            }
            throw;
        }
        catch (Exception ex)
        {
            Finish(item, failure: ex.Message);
        }
    }

    private async ValueTask<UploadResult> AttemptAsync(UploadItem item, string full, ProgressSink progress, CancellationToken cancellationToken)
    {
        int attempt;
        long resumeFrom;
        string? resumeState;
        lock (_lock)
        {
            attempt = ++item.Attempts;
            resumeFrom = item.BytesSent;
            resumeState = item.ResumeState;
            _live[item] = new Live(_time.GetTimestamp(), item.BytesSent, 0);
            _journal.Save(_items);
        }
        Log.Starting(_logger, item.Recording, item.Part, item.Path, _target.Name, attempt, resumeFrom);
        _bus.Publish(new UploadStartEventArgs(item.Recording, _time.GetUtcNow(), item.Part, item.Path, _target.Name, item.Bytes, resumeFrom, attempt));
        try
        {
            var request = new UploadRequest(full, item.Path, item.Bytes, item.Sha256!, resumeState, (state, _) =>
            {
                lock (_lock)
                {
                    item.ResumeState = state;
                    _journal.Save(_items);
                }
                return ValueTask.CompletedTask;
            });
            var result = await _target.UploadAsync(request, progress, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(result.VerifiedSha256, item.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                lock (_lock)
                {
                    // the remote copy is wrong: start over instead of resuming onto it
                    item.ResumeState = null;
                    item.BytesSent = 0;
                }
                throw new InvalidDataException($"checksum mismatch: local sha256 {item.Sha256}, target has {result.VerifiedSha256}");
            }
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            CountFailure();
            lock (_lock)
            {
                item.Error = ex.Message;
                _journal.Save(_items);
            }
            if (attempt < _options.MaxAttempts)
            {
                Log.AttemptFailed(_logger, item.Recording, item.Part, attempt, ex.Message);
                _bus.Publish(new UploadErrorEventArgs(item.Recording, _time.GetUtcNow(), item.Part, item.Path, attempt, ex.Message, final: false));
            }
            throw;
        }
    }

    private void Finish(UploadItem item, string failure)
    {
        lock (_lock)
        {
            item.State = UploadState.Failed;
            item.Error = failure;
            item.CompletedUtc = _time.GetUtcNow();
            _live.Remove(item);
            _journal.Save(_items);
            ReportQueueLength();
        }
        Log.Failed(_logger, item.Recording, item.Part, item.Path, item.Attempts, failure);
        _bus.Publish(new UploadErrorEventArgs(item.Recording, _time.GetUtcNow(), item.Part, item.Path, item.Attempts, failure, final: true));
    }

    /// <summary>Keeps the newest <c>Recorder:Upload:KeepDone</c> done entries (caller holds the lock).</summary>
    private void PruneDone()
    {
        var done = _items.Count(i => i.State == UploadState.Done);
        if (done > _options.KeepDone)
        {
            var drop = _items.Where(i => i.State == UploadState.Done).OrderBy(i => i.CompletedUtc).ThenBy(i => i.Sequence).Take(done - _options.KeepDone).ToHashSet();
            _items.RemoveAll(drop.Contains);
        }
    }

    private void CountFailure()
    {
        Interlocked.Increment(ref _failures);
        _metrics.UploadFailed();
    }

    /// <summary>
    /// The queue-length gauge: parts queued or uploading (failed and done ones are not waiting). Set under the lock
    /// (a cheap gauge write), so the gauge never lags behind what <see cref="Snapshot"/> shows.
    /// </summary>
    private void ReportQueueLength()
    {
        lock (_lock)
        {
            _metrics.UploadQueueLength(_items.Count(i => i.State is UploadState.Queued or UploadState.Uploading));
        }
    }

    private void OnProgress(UploadItem item, long sent)
    {
        UploadProgressEventArgs? e = null;
        long delta;
        lock (_lock)
        {
            delta = sent - item.BytesSent;
            if (delta > 0)
            {
                Interlocked.Add(ref _bytesUploaded, delta);
            }
            item.BytesSent = sent;
            var now = _time.GetTimestamp();
            if (_live.TryGetValue(item, out var live)
                && (live.LastEventTimestamp == 0 || _time.GetElapsedTime(live.LastEventTimestamp, now) >= _options.ProgressInterval))
            {
                _live[item] = live with { LastEventTimestamp = now };
                var seconds = _time.GetElapsedTime(live.StartTimestamp, now).TotalSeconds;
                var speed = seconds > 0 ? (sent - live.StartBytes) / seconds : 0;
                e = new UploadProgressEventArgs(item.Recording, _time.GetUtcNow(), item.Part, item.Path, item.Bytes, sent, speed, speed > 0 ? (item.Bytes - sent) / speed : null);
            }
        }
        if (delta > 0)
        {
            _metrics.Uploaded(delta); // as acknowledged, so the rate shows during long uploads too
        }
        if (e is not null)
        {
            _bus.Publish(e);
        }
    }

    private static ResiliencePipeline BuildRetry(UploadOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                // everything but our own cancellation (an HttpClient timeout is an OperationCanceledException too)
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex
                    && !(ex is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested)),
            });
        }
        return builder.Build();
    }

    private readonly record struct Live(long StartTimestamp, long StartBytes, long LastEventTimestamp);

    private sealed class ProgressSink(UploadQueue queue, UploadItem item) : IProgress<long>
    {
        public void Report(long value) => queue.OnProgress(item, value);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6201, EventName = "UploadQueued", Level = LogLevel.Information, Message = "Recording {Recording}: part {Part} ({Path}) queued for upload.")]
        public static partial void Queued(ILogger logger, string recording, int part, string path);

        [LoggerMessage(EventId = 6202, EventName = "UploadRejected", Level = LogLevel.Warning, Message = "Recording {Recording}: part {Part} ({Path}) not queued: missing or outside the output root.")]
        public static partial void Rejected(ILogger logger, string recording, int part, string path);

        [LoggerMessage(EventId = 6203, EventName = "UploadStart", Level = LogLevel.Information, Message = "Recording {Recording}: uploading part {Part} ({Path}) to {Target}, attempt {Attempt}, from byte {ResumeFrom}.")]
        public static partial void Starting(ILogger logger, string recording, int part, string path, string target, int attempt, long resumeFrom);

        [LoggerMessage(EventId = 6204, EventName = "UploadEnd", Level = LogLevel.Information, Message = "Recording {Recording}: part {Part} ({Path}) uploaded to {Target} and verified ({Bytes} bytes, local deleted: {Deleted}).")]
        public static partial void Uploaded(ILogger logger, string recording, int part, string path, string target, long bytes, bool deleted);

        [LoggerMessage(EventId = 6205, EventName = "UploadAttemptFailed", Level = LogLevel.Warning, Message = "Recording {Recording}: upload of part {Part} failed (attempt {Attempt}), retrying: {Message}")]
        public static partial void AttemptFailed(ILogger logger, string recording, int part, int attempt, string message);

        [LoggerMessage(EventId = 6206, EventName = "UploadFailed", Level = LogLevel.Error, Message = "Recording {Recording}: upload of part {Part} ({Path}) failed after {Attempts} attempts: {Message}")]
        public static partial void Failed(ILogger logger, string recording, int part, string path, int attempts, string message);

        [LoggerMessage(EventId = 6207, EventName = "UploadWorkerFailed", Level = LogLevel.Error, Message = "Recording {Recording}: upload worker failed on part {Part}; it stays queued.")]
        public static partial void WorkerFailed(ILogger logger, Exception exception, string recording, int part);
    }
}
