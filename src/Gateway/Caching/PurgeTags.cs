namespace HlsGateway.Caching;

/// <summary>
/// OutputCaching tags on every shared-tier entry, so a purge deletes by tag through
/// <see cref="Microsoft.AspNetCore.OutputCaching.IOutputCacheStore.EvictByTagAsync"/> instead of scanning Redis:
/// <c>p:&lt;origin&gt;/&lt;path&gt;</c> (the object under any query) and <c>d:&lt;origin&gt;/&lt;dir&gt;/</c> for every
/// directory above it (a prefix purge). Computed per fill, never per hit.
/// </summary>
internal static class PurgeTags
{
    public static string Path(string keyPath) => "p:" + keyPath;

    public static string Directory(string keyPrefix) => "d:" + keyPrefix;

    /// <param name="key">A cache key: <c>origin/path</c> plus the upstream query, if any.</param>
    public static string[] For(string key)
    {
        var query = key.IndexOf('?');
        var path = query < 0 ? key : key[..query];
        var depth = 0;
        foreach (var c in path)
        {
            depth += c == '/' ? 1 : 0;
        }
        var tags = new string[depth + 1];
        tags[0] = Path(path);
        var n = 1;
        for (var i = path.IndexOf('/'); i >= 0; i = path.IndexOf('/', i + 1))
        {
            tags[n++] = Directory(path[..(i + 1)]);
        }
        return tags;
    }
}
