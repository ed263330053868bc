using HlsGateway.Configuration;

namespace HlsGateway.Proxy;

/// <summary>One configured origin: its base URLs (primary and backups, <see cref="Failover"/>) and the pooled client every request to it shares.</summary>
internal sealed class Origin
{
    public Origin(string name, OriginFailover failover, HttpMessageInvoker invoker, string settingsFingerprint, ForwardingMode forwarding = ForwardingMode.Xff)
    {
        Name = name;
        Failover = failover;
        var primary = failover.Urls[0];
        BaseUri = primary.BaseUri;
        BaseUrl = primary.BaseUrl;
        Invoker = invoker;
        Version = primary.Version;
        VersionPolicy = primary.VersionPolicy;
        Fingerprint = settingsFingerprint;
        Forwarding = forwarding;
    }

    public string Name { get; }

    /// <summary>The primary's base URL (<c>Gateway:Origins:&lt;name&gt;</c>): what playlists resolve against. Requests go to <see cref="OriginFailover.Active"/>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The primary's base URL without a trailing slash.</summary>
    public string BaseUrl { get; }

    /// <summary>Primary and backups with their passive health; picks the URL of each request.</summary>
    public OriginFailover Failover { get; }

    /// <summary>One pooled handler for all of the origin's URLs (SocketsHttpHandler pools per host).</summary>
    public HttpMessageInvoker Invoker { get; }

    public Version Version { get; }

    public HttpVersionPolicy VersionPolicy { get; }

    /// <summary>What this origin is told about the client (<see cref="ForwardingPolicy"/>).</summary>
    public ForwardingMode Forwarding { get; }

    /// <summary>Query parameters forwarded to this origin and kept in the cache key (<see cref="QueryForwardList"/>).</summary>
    public QueryForwardList ForwardQuery { get; init; } = QueryForwardList.Default;

    /// <summary>URLs (backups included) + transport settings; a reload that leaves it equal keeps the pooled handler and the URLs' health.</summary>
    public string Fingerprint { get; }
}
