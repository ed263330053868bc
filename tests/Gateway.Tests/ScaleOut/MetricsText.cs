using System.Globalization;

namespace HlsGateway.Tests.ScaleOut;

/// <summary>Reads samples from a Prometheus text exposition (/metrics).</summary>
internal static class MetricsText
{
    /// <summary>Sum of every sample of <paramref name="name"/> whose labels contain <paramref name="labelFilter"/> (null: all); null when absent.</summary>
    public static double? Sum(string text, string name, string? labelFilter = null)
    {
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || (line[name.Length] != ' ' && line[name.Length] != '{'))
            {
                continue;
            }
            if (labelFilter is not null && !line.Contains(labelFilter, StringComparison.Ordinal))
            {
                continue;
            }
            var value = line[(line.LastIndexOf('}') is var b and >= 0 ? b + 1 : name.Length)..].Trim().Split(' ')[0];
            sum = (sum ?? 0) + double.Parse(value, CultureInfo.InvariantCulture);
        }
        return sum;
    }
}
