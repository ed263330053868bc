namespace HlsGateway.Configuration;

/// <summary>
/// What the gateway tells an origin about the client, <c>Gateway:OriginSettings:&lt;name&gt;:Forwarding</c>.
/// Whatever the mode, the client's own forwarding headers never reach the origin (see docs/forwarding.md).
/// </summary>
public enum ForwardingMode
{
    /// <summary>Default: <c>X-Forwarded-For</c> (the client address), <c>X-Forwarded-Proto</c>, <c>X-Forwarded-Host</c>.</summary>
    Xff,

    /// <summary>RFC 7239 <c>Forwarded: for=...;proto=...;host=...</c>.</summary>
    Forwarded,

    /// <summary>Nothing about the client is sent.</summary>
    Off,
}
