namespace HlsGateway.Access;

/// <summary>Outcome of checking a request's signature. Everything but Valid and Missing is a 403.</summary>
internal enum SignatureStatus
{
    Valid,
    /// <summary>No signature parameter at all (allowed unless Gateway:Signing:Required).</summary>
    Missing,
    Malformed,
    UnsafePath,
    UnknownKey,
    BadSignature,
    Expired,
    IpMismatch,
    OutsideScope,
}

internal static class SignatureStatusText
{
    /// <summary>The problem title: the reason, never which part of the signature was wrong.</summary>
    public static string Title(SignatureStatus status) => status switch
    {
        SignatureStatus.Missing => "Signature required",
        SignatureStatus.Malformed => "Malformed signature parameters",
        SignatureStatus.UnsafePath => "Path not canonical",
        SignatureStatus.UnknownKey => "Unknown signing key",
        SignatureStatus.BadSignature => "Bad signature",
        SignatureStatus.Expired => "Signature expired",
        SignatureStatus.IpMismatch => "Signature bound to another IP",
        SignatureStatus.OutsideScope => "Path outside signed scope",
        _ => "Forbidden",
    };

    public static string Detail(SignatureStatus status) => status switch
    {
        SignatureStatus.Missing => "This gateway only serves signed URLs (exp, kid, sig; see docs/signing.md).",
        SignatureStatus.Malformed => "exp, kid and sig must each appear once; exp is unix seconds; acl is a path ending in '/'; ip is an IP address.",
        SignatureStatus.UnsafePath => "Signed paths must not contain dot segments, empty segments, encoded separators or control characters.",
        SignatureStatus.UnknownKey => "The kid does not name a key this gateway has.",
        SignatureStatus.BadSignature => "The signature does not match the URL.",
        SignatureStatus.Expired => "The URL's exp has passed.",
        SignatureStatus.IpMismatch => "The URL was signed for a different client address.",
        SignatureStatus.OutsideScope => "The path is not below the signed acl.",
        _ => string.Empty,
    };

    /// <summary>A low-cardinality label for logs.</summary>
    public static string Label(SignatureStatus status) => status switch
    {
        SignatureStatus.Missing => "missing",
        SignatureStatus.Malformed => "malformed",
        SignatureStatus.UnsafePath => "unsafe_path",
        SignatureStatus.UnknownKey => "unknown_key",
        SignatureStatus.BadSignature => "bad_signature",
        SignatureStatus.Expired => "expired",
        SignatureStatus.IpMismatch => "ip_mismatch",
        SignatureStatus.OutsideScope => "outside_scope",
        _ => "valid",
    };
}
