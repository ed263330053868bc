namespace HlsGateway.Access;

/// <summary>A rate-limit answer: may the request proceed, and if not, when to come back.</summary>
internal readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter);
