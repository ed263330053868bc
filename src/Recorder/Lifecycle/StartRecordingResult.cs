namespace HlsGateway.Recorder.Lifecycle;

internal enum StartRecordingResult
{
    Started,
    AlreadyRunning,
    Invalid,
}
