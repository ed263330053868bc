namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// Upload figures of a set of parts (one recording, or the whole queue): counts per state, bytes, the combined
/// speed of the running uploads and the ETA of the backlog (bytes still to send over that speed; null when
/// nothing is moving).
/// </summary>
internal sealed record UploadSummary(
    int Queued,
    int Uploading,
    int Done,
    int Failed,
    long Bytes,
    long BytesSent,
    long BytesPending,
    double BytesPerSecond,
    double? EtaSeconds)
{
    public static readonly UploadSummary Empty = new(0, 0, 0, 0, 0, 0, 0, 0, null);

    /// <summary>Parts that are not finished yet (queued or uploading).</summary>
    public int Pending => Queued + Uploading;

    public static UploadSummary From(IEnumerable<UploadStatus> parts)
    {
        int queued = 0, uploading = 0, done = 0, failed = 0;
        long bytes = 0, sent = 0, pending = 0;
        double speed = 0;
        foreach (var p in parts)
        {
            bytes += p.Bytes;
            sent += p.BytesSent;
            switch (p.State)
            {
                case UploadState.Queued:
                    queued++;
                    pending += Math.Max(0, p.Bytes - p.BytesSent);
                    break;
                case UploadState.Uploading:
                    uploading++;
                    pending += Math.Max(0, p.Bytes - p.BytesSent);
                    speed += p.BytesPerSecond;
                    break;
                case UploadState.Done:
                    done++;
                    break;
                default:
                    failed++;
                    break;
            }
        }
        return new UploadSummary(queued, uploading, done, failed, bytes, sent, pending, Math.Round(speed, 1),
            speed > 0 ? Math.Round(pending / speed, 1) : pending == 0 ? 0 : null);
    }
}
