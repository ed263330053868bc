namespace HlsGateway.Access;

/// <summary>
/// Where live allowlist entries (admin API) are kept: in memory by default, in Redis when
/// <c>Gateway:Redis</c> is set (shared by every instance, survives restarts).
/// </summary>
internal interface IAllowlistStore
{
    /// <summary>The last known entries (may include expired ones; callers filter by time).</summary>
    IReadOnlyCollection<AllowlistEntry> Entries { get; }

    /// <summary>Raised after <see cref="Entries"/> changed, locally or on another instance.</summary>
    event Action? Changed;

    /// <summary>Loads the entries and starts following changes.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Adds or replaces the entry with the same CIDR.</summary>
    ValueTask AddAsync(AllowlistEntry entry, CancellationToken cancellationToken);

    /// <summary>False when no entry had that CIDR.</summary>
    ValueTask<bool> RemoveAsync(string cidr, CancellationToken cancellationToken);
}
