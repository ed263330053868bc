namespace HlsGateway.Hls;

/// <summary>Spaces and tabs around playlist text; the common case (nothing to trim) costs two byte tests.</summary>
internal static class Blanks
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Is(byte b) => b is (byte)' ' or (byte)'\t';

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s) =>
        s.IsEmpty || (!Is(s[0]) && !Is(s[^1])) ? s : TrimBlanks(s);

    private static ReadOnlySpan<byte> TrimBlanks(ReadOnlySpan<byte> s) => s.Trim(" \t"u8);
}
