namespace HlsGateway.Monitor.Stats;

/// <summary>The default until the recorder registers its own source: no recordings.</summary>
internal sealed class NoRecorderStatusSource : IRecorderStatusSource
{
    public IReadOnlyList<RecordingStatus> GetRecordings() => [];
}
