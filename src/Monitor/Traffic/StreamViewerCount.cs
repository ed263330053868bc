namespace HlsGateway.Monitor.Traffic;

/// <summary>One playlist (<c>origin/path.m3u8</c>) and its distinct viewers in the window.</summary>
internal sealed record StreamViewerCount(string Stream, int Viewers)
{
    public string Origin => Stream.IndexOf('/') is var i and > 0 ? Stream[..i] : Stream;
}
