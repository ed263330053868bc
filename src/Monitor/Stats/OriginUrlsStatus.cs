namespace HlsGateway.Monitor.Stats;

/// <summary>One origin: the URL fetches go to now, how often that changed, and each URL's passive health.</summary>
public sealed record OriginUrlsStatus(string Origin, string ActiveUrl, long Failovers, IReadOnlyList<OriginUrlStatus> Urls);

/// <summary>One base URL of an origin (credentials removed).</summary>
/// <param name="Role"><c>primary</c> or <c>backup</c>.</param>
/// <param name="State"><c>healthy</c>; <c>down</c> (inside its cooldown); <c>probing</c> (cooldown over, the next request tries it).</param>
/// <param name="RetryInSeconds">While down: seconds until a request probes it again.</param>
public sealed record OriginUrlStatus(string Url, string Role, bool Active, string State, double? RetryInSeconds, long Failures, string? LastFailure, DateTimeOffset? LastFailureAt);
