using HlsGateway.Access;
using HlsGateway.Proxy;

namespace HlsGateway.Playlists;

/// <summary>
/// Everything needed to rewrite one playlist for one client: where relative URIs resolve, how absolute
/// URIs map to configured origins, and (for a signed request) the signature its children carry. Children
/// inside the shared scope all get the same precomputed query suffix, so signing costs one HMAC per playlist.
/// </summary>
internal sealed class PlaylistRewriteContext
{
    /// <summary>Where refused URIs point: not a valid origin name, so the gateway answers 404/403 and fetches nothing.</summary>
    public const string RefusedUri = "/hls/~refused/uri";

    private Uri? _playlistUri;

    public PlaylistRewriteContext(HlsRequest request, IReadOnlyCollection<Origin> origins, SignedRequest? signed, byte[]? key)
    {
        Request = request;
        Origins = origins;
        var lastSlash = request.Path.LastIndexOf('/');
        DirPrefixText = string.Concat(HlsPathParser.Prefix, request.Origin.Name, "/", lastSlash < 0 ? string.Empty : request.Path[..(lastSlash + 1)]);
        if (signed is not null && key is not null)
        {
            Signed = signed;
            Key = key;
            ChildAcl = signed.Acl ?? DirPrefixText;
            SharedSuffix = System.Text.Encoding.ASCII.GetBytes(UrlSignature.BuildQuery(key, signed.Kid, signed.Exp, string.Empty, ChildAcl, signed.Ip));
        }
    }

    public HlsRequest Request { get; }

    public IReadOnlyCollection<Origin> Origins { get; }

    /// <summary><c>/hls/&lt;origin&gt;/&lt;playlist dir&gt;/</c>: the gateway path relative URIs resolve below.</summary>
    public string DirPrefixText { get; }

    public SignedRequest? Signed { get; }

    public byte[]? Key { get; }

    /// <summary>The acl children are signed with: the request's acl, else the playlist's directory.</summary>
    public string? ChildAcl { get; }

    /// <summary><c>exp=..&amp;kid=..&amp;acl=..[&amp;ip=..]&amp;sig=..</c> for children inside <see cref="ChildAcl"/>; null when unsigned.</summary>
    public byte[]? SharedSuffix { get; }

    /// <summary>The playlist's upstream URL (for RFC 3986 resolution of non-trivial references). Built on first use.</summary>
    public Uri PlaylistUri => _playlistUri ??= new Uri(Request.Origin.BaseUrl + "/" + Request.Path, UriKind.Absolute);

    public int RefusedCount { get; set; }

    public string? FirstRefused { get; set; }
}
