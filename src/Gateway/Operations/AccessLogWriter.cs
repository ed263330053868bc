using System.Buffers;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace HlsGateway.Operations;

/// <summary>
/// The access log's queue and its one background writer. Requests only <see cref="TryWrite"/> a struct
/// into a bounded channel (never waiting: when the writer falls behind, lines are dropped and counted);
/// the writer formats into one reused buffer and appends batches to the file (flushed whenever the queue
/// runs empty), or hands each line to the <c>HlsGateway.AccessLog</c> logger.
/// </summary>
internal sealed partial class AccessLogWriter : BackgroundService
{
    public const string LoggerCategory = "HlsGateway.AccessLog";

    private readonly AccessLogOptions _options;
    private readonly Channel<AccessLogEntry> _queue;
    private readonly ILogger _lines;
    private readonly ILogger<AccessLogWriter> _logger;
    private long _dropped, _written;

    public AccessLogWriter(IOptions<AccessLogOptions> options, ILoggerFactory loggers, ILogger<AccessLogWriter> logger)
    {
        _options = options.Value;
        _lines = loggers.CreateLogger(LoggerCategory);
        _logger = logger;
        _queue = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
            AllowSynchronousContinuations = false,
        }, _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>Lines dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Lines written.</summary>
    public long Written => Interlocked.Read(ref _written);

    public void TryWrite(in AccessLogEntry entry)
    {
        // DropWrite: a full queue drops this line (counted by the callback) instead of waiting
        _queue.Writer.TryWrite(entry);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var formatter = new AccessLogFormatter(_options.IsJson);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        FileStream? file = null;
        if (!string.IsNullOrEmpty(_options.Path))
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(_options.Path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
            file = new FileStream(_options.Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
        }
        Log.Started(_logger, file is null ? "logger " + LoggerCategory : Path.GetFullPath(_options.Path!), _options.IsJson ? "json" : "text");
        long reportedDrops = 0;
        try
        {
            // on shutdown: stop waiting, but write what is queued (the drained requests' lines)
            while (await WaitAsync(stoppingToken).ConfigureAwait(false))
            {
                await GatherAsync(stoppingToken).ConfigureAwait(false);
                var lines = 0;
                while (_queue.Reader.TryRead(out var entry))
                {
                    formatter.Write(entry, buffer);
                    lines++;
                    if (file is null)
                    {
                        Log.Line(_lines, Encoding.UTF8.GetString(buffer.WrittenSpan[..^1]));
                        buffer.ResetWrittenCount();
                    }
                    else if (buffer.WrittenCount >= 60 * 1024)
                    {
                        await file.WriteAsync(buffer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
                        buffer.ResetWrittenCount();
                    }
                }
                if (file is not null && buffer.WrittenCount > 0)
                {
                    await file.WriteAsync(buffer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
                    buffer.ResetWrittenCount();
                }
                Interlocked.Add(ref _written, lines);
                var dropped = Dropped;
                if (dropped != reportedDrops)
                {
                    Log.DroppedLines(_logger, dropped - reportedDrops, dropped);
                    reportedDrops = dropped;
                }
                if (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
            }
        }
        catch (IOException ex)
        {
            Log.WriteFailed(_logger, _options.Path ?? LoggerCategory, ex.Message);
        }
        finally
        {
            if (file is not null)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Lets lines gather for <see cref="BatchWindow"/> before a drain: at 30k req/s a wake-up per line (or per few
    /// lines) cost the request path more than formatting them does (run-overhead.sh FEATURE=accesslog PIN=1: on/off
    /// 0.943 waking per line). A line reaches the file at most ~25 ms later.
    /// </summary>
    private static async ValueTask GatherAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(BatchWindow, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down: drain now
        }
    }

    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(25);

    /// <summary>True when lines are queued; on shutdown true once more if any are left, then false.</summary>
    private async ValueTask<bool> WaitAsync(CancellationToken stoppingToken)
    {
        try
        {
            return await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return _queue.Reader.Count > 0;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7400, EventName = "AccessLogLine", Level = LogLevel.Information, Message = "{Line}")]
        public static partial void Line(ILogger logger, string line);

        [LoggerMessage(EventId = 7401, EventName = "AccessLogStarted", Level = LogLevel.Information, Message = "Access log on: {Destination} ({Format}).")]
        public static partial void Started(ILogger logger, string destination, string format);

        [LoggerMessage(EventId = 7402, EventName = "AccessLogDropped", Level = LogLevel.Warning, Message = "Access log writer fell behind: {Dropped} lines dropped ({Total} since start).")]
        public static partial void DroppedLines(ILogger logger, long dropped, long total);

        [LoggerMessage(EventId = 7403, EventName = "AccessLogWriteFailed", Level = LogLevel.Error, Message = "Access log {Destination} could not be written; the access log is off until restart: {Message}")]
        public static partial void WriteFailed(ILogger logger, string destination, string message);
    }
}
