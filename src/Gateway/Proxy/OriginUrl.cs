using System.Net;
using HlsGateway.Configuration;

namespace HlsGateway.Proxy;

/// <summary>
/// One base URL of an origin (index 0 the primary, then <c>Backups:0..n</c>) with its passive health, read and
/// written with interlocked operations only (<see cref="OriginFailover"/> owns the transitions).
/// </summary>
internal sealed class OriginUrl
{
    public OriginUrl(int index, Uri baseUri, OriginSettings settings)
    {
        Index = index;
        BaseUri = baseUri;
        // base without trailing slash, so base + "/" + path is one concat
        BaseUrl = baseUri.AbsoluteUri.TrimEnd('/');
        // metric labels, /stats and logs: never the userinfo of a URL that carries credentials
        DisplayUrl = string.IsNullOrEmpty(baseUri.UserInfo) ? BaseUrl : baseUri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/');
        if (baseUri.Scheme == Uri.UriSchemeHttps)
        {
            // TLS: offer h2 via ALPN, fall back to HTTP/1.1 when the origin does not speak it.
            Version = HttpVersion.Version20;
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }
        else if (settings.Http2PriorKnowledge)
        {
            Version = HttpVersion.Version20;
            VersionPolicy = HttpVersionPolicy.RequestVersionExact; // h2c prior knowledge
        }
        else
        {
            Version = HttpVersion.Version11;
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }
    }

    /// <summary>0: the primary (<c>Gateway:Origins:&lt;name&gt;</c>); i + 1: <c>Backups:i</c>.</summary>
    public int Index { get; }

    public Uri BaseUri { get; }

    public string BaseUrl { get; }

    public string DisplayUrl { get; }

    public Version Version { get; }

    public HttpVersionPolicy VersionPolicy { get; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> until which the URL is kept out; 0 while healthy.</summary>
    internal long DownUntil;

    /// <summary>1 while one request is probing the URL after its cooldown.</summary>
    internal int Probing;

    internal long Failures;

    private FailureNote? _lastFailure;

    public bool IsHealthy => Volatile.Read(ref DownUntil) == 0;

    public FailureNote? LastFailure => Volatile.Read(ref _lastFailure);

    internal void NoteFailure(string reason, DateTimeOffset at)
    {
        Interlocked.Increment(ref Failures);
        Volatile.Write(ref _lastFailure, new FailureNote(reason, at));
    }

    internal sealed record FailureNote(string Reason, DateTimeOffset At);
}
