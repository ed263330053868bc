using System.Net;
using HlsGateway.Recorder.Sources;

namespace HlsGateway.Access;

/// <summary>
/// Recognises the gateway's own recorder fetching through the loopback address (see
/// <see cref="InternalClientCredential"/>). Only consulted on the paths that would refuse a request,
/// so players pay nothing for it.
/// </summary>
internal static class InternalClient
{
    public static bool IsTrusted(HttpContext context, InternalClientCredential credential)
    {
        if (!context.Request.Headers.TryGetValue(InternalClientCredential.HeaderName, out var presented))
        {
            return false;
        }
        var remote = context.Connection.RemoteIpAddress;
        return remote is not null && IPAddress.IsLoopback(remote) && credential.Matches(presented);
    }
}
