using System.Runtime.CompilerServices;

namespace HlsGateway.Tests;

/// <summary>
/// The test process runs its sockets the way the gateway does by default (Gateway:Hosting:InlineSocketCompletions):
/// set when the test assembly loads, before its tests open sockets. The test host's own channel to the runner can win
/// that race, and then the process stays in thread-pool mode (the gateway logs SocketCompletionsNotInEffect).
/// </summary>
internal static class SocketMode
{
    [ModuleInitializer]
    internal static void InlineCompletions() => Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}
