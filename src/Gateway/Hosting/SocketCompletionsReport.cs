namespace HlsGateway.Hosting;

/// <summary>One start-up line saying where socket completions run, and a warning when the runtime did not take the mode asked for.</summary>
internal sealed partial class SocketCompletionsReport(bool requested, bool? inEffect, ILogger<SocketCompletionsReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (inEffect is null)
        {
            Log.Unknown(logger, requested);
        }
        else if (inEffect != requested)
        {
            Log.NotInEffect(logger, requested, inEffect.Value);
        }
        else if (requested)
        {
            Log.Inline(logger, SocketCompletions.InlineEventThreads());
        }
        else
        {
            Log.ThreadPool(logger);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1120, EventName = "SocketCompletionsInline", Level = LogLevel.Information, Message = "Socket completions run inline on {EventThreads} epoll threads (Gateway:Hosting:InlineSocketCompletions true).")]
        public static partial void Inline(ILogger logger, int eventThreads);

        [LoggerMessage(EventId = 1121, EventName = "SocketCompletionsThreadPool", Level = LogLevel.Information, Message = "Socket completions are queued to the thread pool (Gateway:Hosting:InlineSocketCompletions false).")]
        public static partial void ThreadPool(ILogger logger);

        [LoggerMessage(EventId = 1122, EventName = "SocketCompletionsNotInEffect", Level = LogLevel.Warning, Message = "Gateway:Hosting:InlineSocketCompletions is {Requested} but the runtime runs with {InEffect}: a socket was opened in this process before the gateway started.")]
        public static partial void NotInEffect(ILogger logger, bool requested, bool inEffect);

        [LoggerMessage(EventId = 1123, EventName = "SocketCompletionsUnknown", Level = LogLevel.Information, Message = "Gateway:Hosting:InlineSocketCompletions is {Requested}; this runtime does not report whether it took effect.")]
        public static partial void Unknown(ILogger logger, bool requested);
    }
}
