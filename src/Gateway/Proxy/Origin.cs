using HlsGateway.Configuration;

namespace HlsGateway.Proxy;

/// <summary>One configured origin: its base URL and the pooled client every request to it shares.</summary>
internal sealed class Origin
{
    public Origin(string name, Uri baseUri, HttpMessageInvoker invoker, Version version, HttpVersionPolicy versionPolicy, string settingsFingerprint, ForwardingMode forwarding = ForwardingMode.Xff)
    {
        Name = name;
        BaseUri = baseUri;
        // base without trailing slash, so base + "/" + path is one concat
        BaseUrl = baseUri.AbsoluteUri.TrimEnd('/');
        Invoker = invoker;
        Version = version;
        VersionPolicy = versionPolicy;
        Fingerprint = settingsFingerprint;
        Forwarding = forwarding;
    }

    public string Name { get; }

    public Uri BaseUri { get; }

    public string BaseUrl { get; }

    public HttpMessageInvoker Invoker { get; }

    public Version Version { get; }

    public HttpVersionPolicy VersionPolicy { get; }

    /// <summary>What this origin is told about the client (<see cref="ForwardingPolicy"/>).</summary>
    public ForwardingMode Forwarding { get; }

    /// <summary>Query parameters forwarded to this origin and kept in the cache key (<see cref="QueryForwardList"/>).</summary>
    public QueryForwardList ForwardQuery { get; init; } = QueryForwardList.Default;

    /// <summary>URL + transport settings; a reload that leaves it equal keeps the pooled handler.</summary>
    public string Fingerprint { get; }
}
