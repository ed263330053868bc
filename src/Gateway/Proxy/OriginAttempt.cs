namespace HlsGateway.Proxy;

/// <summary>Where one origin request goes: a base URL, and whether it is the one request probing that URL after its cooldown.</summary>
internal readonly record struct OriginAttempt(OriginUrl Url, bool IsProbe);
