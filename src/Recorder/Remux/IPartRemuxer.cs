namespace HlsGateway.Recorder.Remux;

/// <summary>Turns a finished raw part into its final file (seam: tests and other containers can swap it).</summary>
internal interface IPartRemuxer
{
    /// <summary>Remuxes <paramref name="rawFullPath"/>; <paramref name="expectedSeconds"/> is what the playlist said the part lasts.</summary>
    Task<RemuxResult> RemuxAsync(string rawFullPath, double expectedSeconds, CancellationToken cancellationToken);
}
