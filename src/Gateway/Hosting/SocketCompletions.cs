using System.Net.Sockets;
using System.Reflection;

namespace HlsGateway.Hosting;

/// <summary>
/// <c>Gateway:Hosting:InlineSocketCompletions</c>: whether the runtime runs socket continuations on its epoll threads
/// (one per core) or queues each one to the thread pool. The runtime reads its switch,
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>, once, when the process's first socket is registered; the gateway
/// sets it from the option before Kestrel binds, so the option wins over the variable. Queuing costs a thread wake-up
/// per read or send; on this 2-core VM that was ~18 % of CPU under TLS HTTP/1.1 playlist load (benchmarks/README.md).
/// </summary>
internal static class SocketCompletions
{
    public const string EnvironmentVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Asks for the mode; returns what the runtime actually runs with (see <see cref="InEffect"/>).</summary>
    public static bool? Apply(bool inline)
    {
        Environment.SetEnvironmentVariable(EnvironmentVariable, inline ? "1" : "0");
        return InEffect();
    }

    /// <summary>
    /// The mode the runtime's socket engine runs with: it differs from what was asked when a socket was already open
    /// before start-up (a test host in a process that has used sockets). Null when this runtime does not expose it
    /// (the field is internal: reading it is a report only, nothing depends on it).
    /// </summary>
    public static bool? InEffect()
    {
        var field = typeof(Socket).Assembly.GetType("System.Net.Sockets.SocketAsyncEngine")
            ?.GetField("InlineSocketCompletionsEnabled", BindingFlags.Static | BindingFlags.NonPublic);
        return field?.GetValue(null) as bool?;
    }

    /// <summary>The runtime's number of epoll threads when inline: one per core unless DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT says otherwise.</summary>
    public static int InlineEventThreads() =>
        uint.TryParse(Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT"), out var n) ? (int)n : Environment.ProcessorCount;
}
