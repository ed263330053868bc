using HlsGateway.Caching;

namespace HlsGateway.Proxy;

/// <summary>How an origin fetch ended. Expected failures are values, not exceptions.</summary>
internal enum FetchStatus
{
    /// <summary>A response worth serving (200, or a 4xx passed on): <see cref="FetchOutcome.Entry"/> is set.</summary>
    Ok,
    /// <summary>Body larger than the cache's entry limit: stream it through instead.</summary>
    TooLarge,
    /// <summary>Could not connect / DNS / TLS / connection reset before headers.</summary>
    Unreachable,
    /// <summary>No complete response within the request timeout.</summary>
    Timeout,
    /// <summary>5xx, a redirect, a malformed playlist, or a body shorter than announced.</summary>
    BadResponse,
}

internal sealed record FetchOutcome(FetchStatus Status, CacheEntry? Entry, int OriginStatus, string Reason)
{
    /// <summary>True when the outcome came from this fetch's cache lookup in the shared tier rather than the origin.</summary>
    public bool FromSharedCache { get; init; }

    /// <summary>With <see cref="FetchStatus.TooLarge"/>: the origin response, still open, for the request that started the fill.</summary>
    public OpenResponse? Handoff { get; init; }
}
