namespace HlsGateway.Access;

/// <summary>One live allowlist entry added through the admin API. <see cref="Cidr"/> is canonical (the key).</summary>
internal sealed record AllowlistEntry(string Cidr, string? Note, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt)
{
    public bool IsActive(DateTimeOffset now) => ExpiresAt is null || ExpiresAt > now;
}
