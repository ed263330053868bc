using System.Globalization;

namespace HlsGateway.Tests.Fuzzing;

/// <summary>
/// How many inputs each fuzz family gets: <c>FUZZ_ITERATIONS</c> (default 1,000,000) per family, split across
/// the family's tests by share so the family as a whole sees at least that many. Lower it locally for a quick
/// run (<c>FUZZ_ITERATIONS=20000 dotnet test --filter Fuzzing</c>); CsCheck prints a seed on failure that
/// <c>CsCheck_Seed</c> replays.
/// </summary>
internal static class FuzzBudget
{
    public const long Default = 1_000_000;

    public static long PerFamily { get; } =
        long.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : Default;

    /// <summary>This test's part of the family budget (rounded up, so the shares add up to at least the budget).</summary>
    public static long Share(double fraction) => Math.Max(1, (long)Math.Ceiling(PerFamily * fraction));
}
