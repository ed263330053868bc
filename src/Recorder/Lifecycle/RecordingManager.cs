using System.Collections.Concurrent;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Leases;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Remux;
using HlsGateway.Recorder.Sources;
using HlsGateway.Recorder.Uploads;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Lifecycle;

/// <summary>
/// Starts, stops and lists recordings. At start-up it first repairs what a crash left (open parts
/// truncated to their acknowledged bytes and remuxed), then starts the configured recordings; a
/// recording with an existing sidecar resumes after its last recorded sequence (no duplicates).
/// <see cref="List"/> and <see cref="Get"/> join each recording with its parts' upload status; a stopped or
/// ended recording whose parts are still being uploaded reports <see cref="RecordingState.Uploading"/>.
/// </summary>
internal sealed partial class RecordingManager : IHostedService, IAsyncDisposable
{
    public const string HttpClientName = "recorder";

    private readonly RecorderOptions _options;
    private readonly IHttpClientFactory _clients;
    private readonly RecorderEventBus _bus;
    private readonly PartFinisher _finisher;
    private readonly RecordingTee _tee;
    private readonly IRecorderBaseAddress _baseAddress;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<RecordingManager> _logger;
    private readonly IRecordingLeaseStore _leases;
    private readonly RecorderInstance _instance;
    private readonly IRecorderMetrics _metrics;
    private readonly IUploadStatusSource _uploads;
    private readonly bool _uploadsEnabled;
    private readonly ConcurrentDictionary<string, Recording> _recordings = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, RecordingJournal> _journals = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _activeLock = new();

    public RecordingManager(IOptions<RecorderOptions> options, IHttpClientFactory clients, RecorderEventBus bus, PartFinisher finisher, RecordingTee tee,
        IRecorderBaseAddress baseAddress, TimeProvider time, ILoggerFactory loggers, IRecordingLeaseStore leases, RecorderInstance instance, IRecorderMetrics metrics,
        IUploadStatusSource uploads, IOptions<UploadOptions> uploadOptions)
    {
        _uploads = uploads;
        _uploadsEnabled = uploadOptions.Value.Target != UploadTargetKind.None;
        _leases = leases;
        _instance = instance;
        _metrics = metrics;
        _options = options.Value;
        _clients = clients;
        _bus = bus;
        _finisher = finisher;
        _tee = tee;
        _baseAddress = baseAddress;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<RecordingManager>();
    }

    public string OutputRoot => Path.GetFullPath(_options.OutputDirectory);

    /// <summary>This instance's lease holder id.</summary>
    public string InstanceId => _instance.Id;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        RecoverAll(); // directories are created when the first part is written, not at start-up
        foreach (var definition in _options.Recordings)
        {
            await StartRecordingAsync(definition, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var name in _recordings.Keys.ToArray())
        {
            await StopRecordingAsync(name).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a recording; <paramref name="errors"/> names what is wrong when it is invalid.</summary>
    public async Task<(StartRecordingResult Result, IReadOnlyList<string> Errors)> StartRecordingAsync(RecordingDefinition definition, CancellationToken cancellationToken)
    {
        var errors = RecorderOptionsValidator.ValidateDefinition(definition, "recording").ToList();
        if (errors.Count > 0)
        {
            return (StartRecordingResult.Invalid, errors);
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_recordings.TryGetValue(definition.Name, out var existing) && existing.State != RecordingState.Stopped)
            {
                return (StartRecordingResult.AlreadyRunning, []);
            }
            var journal = _journals.GetOrAdd(definition.Name, n => RecordingJournal.LoadOrCreate(OutputRoot, n, definition.Url));
            lock (journal.Sync)
            {
                journal.Url = definition.Url;
            }
            var recording = new Recording(definition, _options, journal, _clients.CreateClient(HttpClientName), _bus, _finisher, _tee, _baseAddress, _time,
                _loggers.CreateLogger<Recording>(), _leases, _instance.Id, _metrics, ReportActive);
            _recordings[definition.Name] = recording;
            recording.Start();
            return (StartRecordingResult.Started, []);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Graceful stop (the open part is closed and remuxed). False when no such recording runs.</summary>
    public async Task<bool> StopRecordingAsync(string name)
    {
        if (!_recordings.TryGetValue(name, out var recording) || recording.State == RecordingState.Stopped)
        {
            return false;
        }
        await recording.StopAsync().ConfigureAwait(false);
        return true;
    }

    public bool RequestSplit(string name)
    {
        if (_recordings.TryGetValue(name, out var recording) && recording.State != RecordingState.Stopped)
        {
            recording.RequestSplit();
            return true;
        }
        return false;
    }

    /// <summary>The active-recordings gauge: recordings this instance is writing now (not standby, checking or paused).</summary>
    private void ReportActive()
    {
        lock (_activeLock) // count and set together, so concurrent transitions cannot leave a stale count last
        {
            _metrics.ActiveRecordings(_recordings.Values.Count(r => r.State == RecordingState.Recording));
        }
    }

    public IReadOnlyList<RecordingStatus> List()
    {
        var uploads = UploadsByRecording();
        return _recordings.Values.Select(r => WithUploads(r.Snapshot(), uploads)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    public RecordingStatus? Get(string name) => _recordings.TryGetValue(name, out var r) ? WithUploads(r.Snapshot(), UploadsByRecording()) : null;

    private ILookup<string, UploadStatus> UploadsByRecording() => _uploads.Snapshot().ToLookup(u => u.Recording, StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds the upload summary and per-part upload rows; stopped with parts still to upload reads as uploading.</summary>
    private RecordingStatus WithUploads(RecordingStatus status, ILookup<string, UploadStatus> uploads)
    {
        var mine = uploads[status.Name].ToList();
        var summary = UploadSummary.From(mine);
        var state = status.State;
        // a closed part waiting for remux is queued for upload right after it, so it counts as still to upload
        if (state == RecordingState.Stopped && (summary.Pending > 0 || (_uploadsEnabled && status.Parts.Any(p => p.State == PartState.Closed))))
        {
            state = RecordingState.Uploading;
        }
        return status with { State = state, Upload = summary, Uploads = mine };
    }

    /// <summary>Tests: stop every loop without closing parts or releasing leases, as a kill -9 would.</summary>
    internal async Task AbandonAllAsync()
    {
        foreach (var recording in _recordings.Values)
        {
            await recording.AbandonAsync().ConfigureAwait(false);
        }
    }

    private void RecoverAll()
    {
        foreach (var name in RecordingJournal.ExistingNames(OutputRoot))
        {
            if (!Storage.OutputPathGuard.IsSafeName(name))
            {
                continue;
            }
            var journal = _journals.GetOrAdd(name, n => RecordingJournal.LoadOrCreate(OutputRoot, n, string.Empty));
            try
            {
                var toFinish = PartRecovery.Recover(journal, OutputRoot, _time.GetUtcNow());
                foreach (var part in toFinish)
                {
                    _finisher.Enqueue(journal, part);
                }
                if (toFinish.Count > 0)
                {
                    Log.Recovered(_logger, name, toFinish.Count);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _bus.Publish(new RecorderErrorEventArgs(name, _time.GetUtcNow(), "recovery", ex.Message));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _gate.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6050, EventName = "RecoveredParts", Level = LogLevel.Warning, Message = "Recording {Recording}: {Count} part(s) left unfinished by a previous run are being finished.")]
        public static partial void Recovered(ILogger logger, string recording, int count);
    }
}
