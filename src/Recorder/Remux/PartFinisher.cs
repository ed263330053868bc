using System.Threading.Channels;
using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Remux;

/// <summary>
/// Finishes closed parts off the recording loop (so a long remux never delays segment fetching):
/// remux + verify (<c>Recorder:Remux=mp4</c>) or keep raw, update the sidecar, publish
/// <c>record.part</c> (and <c>error</c> on failure, keeping the raw file). A bounded queue; a part
/// that does not fit stays "closed" in the sidecar and is finished at the next start-up.
/// </summary>
internal sealed partial class PartFinisher : BackgroundService
{
    private readonly Channel<(RecordingJournal Journal, int Part)> _queue = Channel.CreateBounded<(RecordingJournal, int)>(new BoundedChannelOptions(1024) { SingleReader = true });
    private readonly RecorderOptions _options;
    private readonly IPartRemuxer _remuxer;
    private readonly RecorderEventBus _bus;
    private readonly TimeProvider _time;
    private readonly ILogger<PartFinisher> _logger;
    private readonly string _root;
    private int _pending;

    public PartFinisher(IOptions<RecorderOptions> options, IPartRemuxer remuxer, RecorderEventBus bus, TimeProvider time, ILogger<PartFinisher> logger)
    {
        _options = options.Value;
        _root = Path.GetFullPath(_options.OutputDirectory);
        _remuxer = remuxer;
        _bus = bus;
        _time = time;
        _logger = logger;
    }

    /// <summary>Parts queued or being finished.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public bool Enqueue(RecordingJournal journal, int part)
    {
        Interlocked.Increment(ref _pending);
        if (_queue.Writer.TryWrite((journal, part)))
        {
            return true;
        }
        Interlocked.Decrement(ref _pending);
        Log.QueueFull(_logger, journal.Name, part);
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (journal, number) in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await FinishAsync(journal, number, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _bus.Publish(new RecorderErrorEventArgs(journal.Name, _time.GetUtcNow(), "finish", ex.Message));
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Finishes what is queued while the host allows (its shutdown timeout), then cancels the rest.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (ExecuteTask is { } running)
        {
            try
            {
                await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    internal async Task FinishAsync(RecordingJournal journal, int number, CancellationToken ct)
    {
        PartInfo? part;
        lock (journal.Sync)
        {
            part = journal.Parts.Find(p => p.Number == number);
            if (part is null || part.State != PartState.Closed)
            {
                return;
            }
        }
        var raw = Path.Combine(_root, part.RawPath);
        string? error = null;
        RemuxResult result = default;
        if (_options.Remux == RemuxMode.None || part.KeyUris.Count > 0)
        {
            // encrypted parts are kept as received: remuxing ciphertext is impossible without the key
            lock (journal.Sync)
            {
                part.State = PartState.Kept;
                journal.Save();
            }
        }
        else
        {
            result = File.Exists(raw)
                ? await _remuxer.RemuxAsync(raw, part.DurationSeconds, ct).ConfigureAwait(false)
                : new RemuxResult(false, null, null, "raw part file is missing");
            lock (journal.Sync)
            {
                part.ProbedSeconds = result.ProbedSeconds;
                if (result.Ok)
                {
                    part.State = PartState.Remuxed;
                    part.Mp4Path = Path.GetRelativePath(_root, result.Mp4FullPath!).Replace('\\', '/');
                    part.Error = null;
                }
                else
                {
                    part.State = PartState.RemuxFailed;
                    part.Error = error = result.Error;
                }
                journal.Save();
            }
            if (result.Ok && _options.Dvr.RetentionWindow <= TimeSpan.Zero)
            {
                File.Delete(raw); // the verified MP4 replaces it (with a DVR retention window, DvrRetention deletes it later)
            }
        }
        PartInfo snapshot;
        lock (journal.Sync)
        {
            snapshot = part.Clone();
        }
        var now = _time.GetUtcNow();
        if (error is not null)
        {
            _bus.Publish(new RecorderErrorEventArgs(journal.Name, now, "remux", $"part {number}: {error}; kept {part.RawPath}"));
        }
        _bus.Publish(new RecordPartEventArgs(journal.Name, now, snapshot));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6030, EventName = "FinishQueueFull", Level = LogLevel.Warning, Message = "Remux queue full; part {Part} of {Recording} stays closed and is finished at the next start.")]
        public static partial void QueueFull(ILogger logger, string recording, int part);
    }
}
