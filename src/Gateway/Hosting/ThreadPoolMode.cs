using System.Reflection;

namespace HlsGateway.Hosting;

/// <summary>
/// Whether the thread pool's hill climbing runs. The gateway ships with it off (Gateway.csproj sets the runtimeconfig
/// switch <c>System.Threading.ThreadPool.HillClimbing.Disable</c>): hill climbing grows the pool past the core count
/// when throughput is noisy, and over TLS HTTP/2 (frame writer, TLS pump and handlers are all pool work items) it
/// settled at 7-11 workers on 2 cores, which then preempted one another ~6,000 times a second. Off, the pool keeps
/// one worker per core; starvation detection still adds workers when one is blocked. An operator turns it back on
/// with <c>DOTNET_HillClimbing_Disable=0</c> (the variable wins over the runtimeconfig). benchmarks/README.md,
/// "Thread pool hill climbing".
/// </summary>
internal static class ThreadPoolMode
{
    /// <summary>The runtime's own variable for the switch; it wins over the runtimeconfig.</summary>
    public const string EnvironmentVariable = "DOTNET_HillClimbing_Disable";

    /// <summary>
    /// What the runtime runs with: true when hill climbing is off. Null when this runtime does not expose it (the
    /// field sits in a private runtime class: reading it is a report only, nothing depends on it).
    /// </summary>
    public static bool? HillClimbingDisabled()
    {
        var field = typeof(ThreadPool).Assembly.GetType("System.Threading.PortableThreadPool+HillClimbing")
            ?.GetField("IsDisabled", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
        return field?.GetValue(null) as bool?;
    }
}

/// <summary>One start-up line saying whether thread pool hill climbing runs, and with how many workers the pool starts.</summary>
internal sealed partial class ThreadPoolReport(ILogger<ThreadPoolReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ThreadPool.GetMinThreads(out var minWorkers, out _);
        switch (ThreadPoolMode.HillClimbingDisabled())
        {
            case true:
                Log.Off(logger, minWorkers);
                break;
            case false:
                Log.On(logger, minWorkers);
                break;
            default:
                Log.Unknown(logger, minWorkers);
                break;
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1125, EventName = "ThreadPoolHillClimbingOff", Level = LogLevel.Information, Message = "Thread pool: hill climbing off, {MinWorkers} workers (one per core) unless one is blocked (DOTNET_HillClimbing_Disable=0 turns it on).")]
        public static partial void Off(ILogger logger, int minWorkers);

        [LoggerMessage(EventId = 1126, EventName = "ThreadPoolHillClimbingOn", Level = LogLevel.Information, Message = "Thread pool: hill climbing on, from {MinWorkers} workers (DOTNET_HillClimbing_Disable).")]
        public static partial void On(ILogger logger, int minWorkers);

        [LoggerMessage(EventId = 1127, EventName = "ThreadPoolHillClimbingUnknown", Level = LogLevel.Information, Message = "Thread pool: from {MinWorkers} workers; this runtime does not report whether hill climbing runs.")]
        public static partial void Unknown(ILogger logger, int minWorkers);
    }
}
