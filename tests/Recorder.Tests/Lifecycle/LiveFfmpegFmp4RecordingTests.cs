using Xunit.Abstractions;

namespace HlsGateway.Tests.Lifecycle;

/// <summary><see cref="LiveFfmpegRecordingTests"/> over a live fMP4/CMAF stream (ffmpeg <c>-hls_segment_type fmp4</c>, EXT-X-MAP).</summary>
public sealed class LiveFfmpegFmp4RecordingTests(ITestOutputHelper output) : LiveFfmpegRecordingTests(output, fmp4: true);
