namespace HlsGateway.Demo;

/// <summary>One rendition of the demo loop: its HLS attributes and its segments' bytes, loaded once.</summary>
internal sealed class DemoRendition(string name, int width, int height, string codecs, double frameRate, long bandwidth, long averageBandwidth, byte[][] segments)
{
    public string Name { get; } = name;

    public int Width { get; } = width;

    public int Height { get; } = height;

    /// <summary>RFC 6381 codec list as ffmpeg derived it, e.g. <c>avc1.4d401e,mp4a.40.2</c>.</summary>
    public string Codecs { get; } = codecs;

    public double FrameRate { get; } = frameRate;

    /// <summary>Peak segment bit rate (bits/s), for BANDWIDTH.</summary>
    public long Bandwidth { get; } = bandwidth;

    /// <summary>Mean bit rate over the loop (bits/s), for AVERAGE-BANDWIDTH.</summary>
    public long AverageBandwidth { get; } = averageBandwidth;

    /// <summary>MPEG-TS bytes of each segment of the loop, in order.</summary>
    public byte[][] Segments { get; } = segments;
}
