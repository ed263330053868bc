namespace HlsGateway.Proxy;

/// <summary>
/// The query parameters an origin receives (and that are part of the cache key): the LL-HLS delivery directives
/// <c>_HLS_msn</c>, <c>_HLS_part</c>, <c>_HLS_skip</c> always, plus <c>Gateway:OriginSettings:&lt;name&gt;:ForwardQuery</c>
/// (<c>*</c> = every parameter). Anything else is dropped from the origin request and the cache key, so a player
/// cannot split the cache (or smuggle parameters to the origin) with <c>?x=1</c>; with signing required it is
/// refused (403), since no signature covers it. Names compare ordinally, as the query is sent.
/// </summary>
internal sealed class QueryForwardList
{
    public static readonly string[] Always = ["_HLS_msn", "_HLS_part", "_HLS_skip"];

    public static readonly QueryForwardList Default = new([]);

    private readonly string[] _names;

    public QueryForwardList(IReadOnlyCollection<string> configured)
    {
        All = configured.Any(n => n.Trim() == "*");
        _names = [.. Always, .. configured.Select(n => n.Trim()).Where(n => n.Length > 0 && n != "*")];
    }

    /// <summary><c>*</c>: every parameter is forwarded (the behaviour before the list existed).</summary>
    public bool All { get; }

    public bool Allows(ReadOnlySpan<char> name)
    {
        if (All)
        {
            return true;
        }
        foreach (var allowed in _names)
        {
            if (name.SequenceEqual(allowed))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>For settings fingerprints and error messages.</summary>
    public override string ToString() => All ? "*" : string.Join(",", _names);
}
