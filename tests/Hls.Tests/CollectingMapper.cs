using System.Buffers;
using System.Text;

namespace HlsGateway.Hls.Tests;

/// <summary>Writes every URI unchanged (or through <see cref="Map"/>) and records where each one was found.</summary>
internal struct CollectingMapper : IUriMapper
{
    public CollectingMapper()
    {
    }

    public List<(HlsTag Tag, string Uri)> Uris { get; } = [];

    public Func<string, string>? Map { get; init; }

    public HlsTag? Drop { get; init; }

    public readonly bool KeepTag(in M3u8Line line) => Drop is not { } drop || line.Tag != drop;

    public readonly int WriteUri(ReadOnlySpan<byte> uri, HlsTag tag, ReadOnlySpan<byte> tagName, IBufferWriter<byte> output)
    {
        var text = Encoding.UTF8.GetString(uri);
        Uris.Add((tag, text));
        var bytes = Map is null ? uri.ToArray() : Encoding.UTF8.GetBytes(Map(text));
        output.Write(bytes);
        return bytes.Length;
    }

    public static (string Output, List<(HlsTag Tag, string Uri)> Uris) Run(string playlist, M3u8WriteMode mode = M3u8WriteMode.Verbatim, Func<string, string>? map = null, HlsTag? drop = null)
    {
        var mapper = new CollectingMapper { Map = map, Drop = drop };
        var output = M3u8UriRewriter.RewriteAll(Encoding.UTF8.GetBytes(playlist), ref mapper, mode);
        return (Encoding.UTF8.GetString(output), mapper.Uris);
    }
}
