using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace HlsGateway.Recorder.Events;

/// <summary>
/// In-process event bus: <see cref="Publish"/> never blocks (bounded channel, TryWrite; a full
/// channel drops and counts), one background loop logs each event and hands it to subscribers in
/// order. A failing subscriber is logged and does not stop the others.
/// </summary>
internal sealed partial class RecorderEventBus : BackgroundService
{
    private readonly Channel<RecorderEventArgs> _channel = Channel.CreateBounded<RecorderEventArgs>(new BoundedChannelOptions(4096)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });
    private readonly ILogger<RecorderEventBus> _logger;
    private volatile Func<RecorderEventArgs, CancellationToken, ValueTask>[] _subscribers = [];
    private readonly Lock _lock = new();
    private long _dropped;

    public RecorderEventBus(ILogger<RecorderEventBus> logger) => _logger = logger;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Publish(RecorderEventArgs e)
    {
        if (!_channel.Writer.TryWrite(e))
        {
            Interlocked.Increment(ref _dropped);
            Log.EventDropped(_logger, e.Type, e.Recording);
        }
    }

    public IDisposable Subscribe(Func<RecorderEventArgs, CancellationToken, ValueTask> handler)
    {
        lock (_lock)
        {
            _subscribers = [.. _subscribers, handler];
        }
        return new Subscription(this, handler);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in _channel.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                LogEvent(e);
                foreach (var subscriber in _subscribers)
                {
                    try
                    {
                        await subscriber(e, stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        Log.SubscriberFailed(_logger, ex, e.Type, e.Recording);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Delivers what is queued while the host allows (its shutdown timeout), then cancels the rest.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
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

    private void LogEvent(RecorderEventArgs e)
    {
        switch (e)
        {
            case StreamStartEventArgs s:
                Log.StreamStart(_logger, s.Recording, s.MediaPlaylistUrl);
                break;
            case StreamEndEventArgs s:
                Log.StreamEnd(_logger, s.Recording, s.Reason);
                break;
            case RecordStartEventArgs s:
                Log.RecordStart(_logger, s.Recording, s.Url, s.Resumed);
                break;
            case RecordPartEventArgs s:
                Log.RecordPart(_logger, s.Recording, s.Part.Number, s.Part.Mp4Path ?? s.Part.RawPath, s.Part.State.ToString(), s.Part.DurationSeconds, s.Part.Bytes, s.Part.Error);
                break;
            case RecordEndEventArgs s:
                Log.RecordEnd(_logger, s.Recording, s.Reason, s.Segments, s.Bytes);
                break;
            case RecordGapEventArgs s:
                Log.RecordGap(_logger, s.Recording, s.Gap.From, s.Gap.To, s.Gap.DurationSeconds, s.Gap.Reason);
                break;
            case RecorderErrorEventArgs s:
                Log.RecorderError(_logger, s.Recording, s.Stage, s.Message);
                break;
        }
    }

    private void Unsubscribe(Func<RecorderEventArgs, CancellationToken, ValueTask> handler)
    {
        lock (_lock)
        {
            _subscribers = _subscribers.Where(h => h != handler).ToArray();
        }
    }

    private sealed class Subscription(RecorderEventBus bus, Func<RecorderEventArgs, CancellationToken, ValueTask> handler) : IDisposable
    {
        public void Dispose() => bus.Unsubscribe(handler);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6001, EventName = "StreamStart", Level = LogLevel.Information, Message = "Recording {Recording}: stream live ({MediaPlaylist}).")]
        public static partial void StreamStart(ILogger logger, string recording, string? mediaPlaylist);

        [LoggerMessage(EventId = 6002, EventName = "StreamEnd", Level = LogLevel.Information, Message = "Recording {Recording}: stream ended ({Reason}).")]
        public static partial void StreamEnd(ILogger logger, string recording, string reason);

        [LoggerMessage(EventId = 6003, EventName = "RecordStart", Level = LogLevel.Information, Message = "Recording {Recording} started from {Url} (resumed: {Resumed}).")]
        public static partial void RecordStart(ILogger logger, string recording, string url, bool resumed);

        [LoggerMessage(EventId = 6004, EventName = "RecordPart", Level = LogLevel.Information, Message = "Recording {Recording}: part {Part} finished as {Path} ({State}, {Seconds} s, {Bytes} bytes, error: {Error}).")]
        public static partial void RecordPart(ILogger logger, string recording, int part, string path, string state, double seconds, long bytes, string? error);

        [LoggerMessage(EventId = 6005, EventName = "RecordEnd", Level = LogLevel.Information, Message = "Recording {Recording} ended ({Reason}): {Segments} segments, {Bytes} bytes.")]
        public static partial void RecordEnd(ILogger logger, string recording, string reason, long segments, long bytes);

        [LoggerMessage(EventId = 6006, EventName = "RecordGap", Level = LogLevel.Warning, Message = "Recording {Recording}: gap in media sequences {From}-{To} ({Seconds} s, {Reason}).")]
        public static partial void RecordGap(ILogger logger, string recording, long from, long to, double seconds, string reason);

        [LoggerMessage(EventId = 6007, EventName = "RecorderError", Level = LogLevel.Error, Message = "Recording {Recording}: {Stage} failed: {Message}")]
        public static partial void RecorderError(ILogger logger, string recording, string stage, string message);

        [LoggerMessage(EventId = 6008, EventName = "EventDropped", Level = LogLevel.Warning, Message = "Recorder event bus full; dropped {Type} of {Recording}.")]
        public static partial void EventDropped(ILogger logger, string type, string recording);

        [LoggerMessage(EventId = 6009, EventName = "SubscriberFailed", Level = LogLevel.Error, Message = "A recorder event subscriber failed on {Type} of {Recording}.")]
        public static partial void SubscriberFailed(ILogger logger, Exception exception, string type, string recording);
    }
}
