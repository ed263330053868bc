namespace HlsGateway.Recorder.Sources;

/// <summary>Outcome of one recorder fetch; failures are values, not exceptions.</summary>
internal readonly record struct FetchResult(int Status, byte[]? Body, string? Error)
{
    public bool Ok => Body is not null;

    public bool NotFound => Status == 404 || Status == 410;
}
