using System.Runtime.CompilerServices;

namespace HlsGateway.Tests;

/// <summary>
/// The test process runs its sockets the way the gateway does by default (Gateway:Hosting:InlineSocketCompletions):
/// set before any socket exists, so every in-process gateway, origin and client here uses the same mode whatever test
/// runs first.
/// </summary>
internal static class SocketMode
{
    [ModuleInitializer]
    internal static void InlineCompletions() => Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}
