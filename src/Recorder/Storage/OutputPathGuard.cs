namespace HlsGateway.Recorder.Storage;

/// <summary>
/// Keeps every file the recorder writes inside the output root: names are checked, relative paths may
/// not be rooted or climb out with '..', and the resolved full path must lie under the root.
/// </summary>
internal static class OutputPathGuard
{
    /// <summary>A recording name: 1-64 of [A-Za-z0-9_-].</summary>
    public static bool IsSafeName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64)
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Resolves <paramref name="relative"/> under <paramref name="root"/>; false when it is rooted, climbs out, or is otherwise unsafe.</summary>
    public static bool TryResolve(string root, string relative, out string fullPath)
    {
        fullPath = string.Empty;
        if (string.IsNullOrWhiteSpace(relative) || relative.Contains('\0') || Path.IsPathRooted(relative) || relative.StartsWith('~'))
        {
            return false;
        }
        foreach (var segment in relative.Split('/', '\\'))
        {
            if (segment is ".." or "." || segment.Length == 0 || segment.Trim().Length != segment.Length || segment.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            {
                return false;
            }
        }
        var rootFull = Path.GetFullPath(root);
        var candidate = Path.GetFullPath(Path.Combine(rootFull, relative));
        if (!IsWithin(rootFull, candidate))
        {
            return false;
        }
        fullPath = candidate;
        return true;
    }

    /// <summary>Whether <paramref name="path"/> is strictly inside <paramref name="root"/> (both full paths).</summary>
    public static bool IsWithin(string root, string path)
    {
        var r = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(path).StartsWith(r, StringComparison.Ordinal);
    }
}
