namespace HlsGateway.Recorder.Sources;

/// <summary>
/// The seam the gateway's proxy path calls after it fetched a resource from the origin (cache miss):
/// segments and init sections of streams being recorded go to the recorder without a second fetch.
/// Both methods are cheap and never block or throw; the player path never waits on the recorder.
/// </summary>
internal interface ISegmentTee
{
    /// <summary>
    /// Whether an active recording follows a playlist in the directory of <paramref name="path"/>
    /// (e.g. <c>/hls/news/live/seg12.ts</c>). A volatile read plus a few prefix compares; false
    /// when nothing is recording, so the gateway can skip <see cref="Offer"/> entirely.
    /// </summary>
    bool Wants(string path);

    /// <summary>
    /// Hands the complete body of <paramref name="path"/> (as fetched from the origin, not a range of
    /// it; the body must not be mutated or returned to a pool afterwards) to the recorder's bounded
    /// channel. Returns false when unwanted or when the channel is full (counted as a drop: the
    /// recorder then fetches that segment itself through the cache).
    /// </summary>
    bool Offer(string path, ReadOnlyMemory<byte> body);
}
