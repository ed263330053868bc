namespace HlsGateway.Access;

/// <summary>
/// Reads <c>Gateway:Access:AllowFile</c>: one CIDR (or address) per line, '#' comments, blank lines skipped,
/// parsed as strictly as <c>Gateway:Access:Allow</c>. Errors name the key and the line number.
/// </summary>
internal static class AllowFileReader
{
    public const string Key = "Gateway:Access:AllowFile";

    /// <summary>Errors beyond this many are summarised: a wrong file can have 100k bad lines.</summary>
    private const int MaxReportedErrors = 20;

    /// <summary>The file's CIDRs; problems are added to <paramref name="errors"/> (an empty result then).</summary>
    public static IReadOnlyList<Cidr> Read(string? path, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return [];
        }
        var full = Path.GetFullPath(path.Trim());
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadLines(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            errors.Add($"{Key}: cannot read '{full}': {ex.Message}");
            return [];
        }
        var cidrs = new List<Cidr>();
        var bad = 0;
        var number = 0;
        try
        {
            foreach (var line in lines)
            {
                number++;
                var text = line.AsSpan();
                var hash = text.IndexOf('#');
                if (hash >= 0)
                {
                    text = text[..hash];
                }
                text = text.Trim();
                if (text.IsEmpty)
                {
                    continue;
                }
                if (Cidr.TryParse(text, out var cidr, out var error))
                {
                    cidrs.Add(cidr);
                }
                else if (++bad <= MaxReportedErrors)
                {
                    errors.Add($"{Key}: line {number}: {error}.");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{Key}: cannot read '{full}': {ex.Message}");
            return [];
        }
        if (bad > MaxReportedErrors)
        {
            errors.Add($"{Key}: {bad - MaxReportedErrors} more invalid line(s) in '{full}'.");
        }
        return bad == 0 ? cidrs : [];
    }
}
