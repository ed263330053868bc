using System.Globalization;

namespace HlsGateway.Recorder.Leases;

/// <summary>
/// The last segment a holder handled (written or ledgered as a gap), shared with the other instances so a
/// taker continues after it. Only the origin's numbers: epochs are each instance's own counter.
/// </summary>
internal readonly record struct LeaseProgress(long Discontinuity, long Media)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Discontinuity}:{Media}");

    public static LeaseProgress? Parse(string? value)
    {
        if (value is null)
        {
            return null;
        }
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && long.TryParse(value.AsSpan(0, colon), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d)
            && long.TryParse(value.AsSpan(colon + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var m)
            ? new LeaseProgress(d, m)
            : null;
    }
}
