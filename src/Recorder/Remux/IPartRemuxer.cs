namespace HlsGateway.Recorder.Remux;

/// <summary>Turns a finished raw part into its final file (seam: tests and other containers can swap it).</summary>
internal interface IPartRemuxer
{
    /// <summary>
    /// Remuxes <paramref name="rawFullPath"/> with the part's separately recorded audio renditions
    /// (<paramref name="audioTracks"/>, may be empty); <paramref name="expectedSeconds"/> is what the playlist said the part lasts.
    /// </summary>
    Task<RemuxResult> RemuxAsync(string rawFullPath, IReadOnlyList<RemuxTrack> audioTracks, double expectedSeconds, CancellationToken cancellationToken);

    /// <summary>Remuxes a part without separate renditions.</summary>
    Task<RemuxResult> RemuxAsync(string rawFullPath, double expectedSeconds, CancellationToken cancellationToken) =>
        RemuxAsync(rawFullPath, [], expectedSeconds, cancellationToken);
}
