using System.Globalization;
using System.Text;

namespace HlsGateway.Recorder.Storage;

/// <summary>
/// Renders <c>Recorder:FileNameTemplate</c>: <c>{stream}</c>, <c>{startUtc[:format]}</c> and
/// <c>{part[:format]}</c>; the result is a relative path without extension that
/// <see cref="OutputPathGuard"/> then resolves under the output root.
/// </summary>
internal static class FileNameTemplate
{
    public static bool TryValidate(string? template, out string error)
    {
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(template))
        {
            error = "must not be empty.";
            return false;
        }
        if (!template.Contains("{part", StringComparison.Ordinal))
        {
            error = "must contain {part} so parts get distinct names.";
            return false;
        }
        try
        {
            var sample = Render(template, "stream", new DateTimeOffset(2000, 1, 2, 3, 4, 5, TimeSpan.Zero), 1);
            if (!OutputPathGuard.TryResolve("/r", sample, out _))
            {
                error = $"renders to '{sample}', which is not a safe relative path (no rooted paths, '..' or empty segments).";
                return false;
            }
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return false;
        }
        return true;
    }

    public static string Render(string template, string stream, DateTimeOffset startUtc, int part)
    {
        var sb = new StringBuilder(template.Length + 32);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }
            sb.Append(template, i, open - i);
            var close = template.IndexOf('}', open);
            if (close < 0)
            {
                throw new FormatException("unclosed '{' in template.");
            }
            var token = template[(open + 1)..close];
            var colon = token.IndexOf(':');
            var name = colon < 0 ? token : token[..colon];
            var format = colon < 0 ? null : token[(colon + 1)..];
            sb.Append(name switch
            {
                "stream" => stream,
                "startUtc" => startUtc.UtcDateTime.ToString(format ?? "yyyyMMdd-HHmmss", CultureInfo.InvariantCulture),
                "part" => part.ToString(format ?? "000", CultureInfo.InvariantCulture),
                _ => throw new FormatException($"unknown token '{{{name}}}' (use stream, startUtc, part)."),
            });
            i = close + 1;
        }
        return sb.ToString();
    }
}
