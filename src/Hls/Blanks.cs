namespace HlsGateway.Hls;

/// <summary>Spaces and tabs around playlist text; the common case (nothing to trim) costs two byte tests.</summary>
internal static class Blanks
{
    public static bool Is(byte b) => b is (byte)' ' or (byte)'\t';

    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s) =>
        s.IsEmpty || (!Is(s[0]) && !Is(s[^1])) ? s : s.Trim(" \t"u8);
}
