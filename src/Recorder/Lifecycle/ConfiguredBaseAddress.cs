using HlsGateway.Recorder.Configuration;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Lifecycle;

/// <summary>The default <see cref="IRecorderBaseAddress"/>: <c>Recorder:BaseUrl</c>.</summary>
internal sealed class ConfiguredBaseAddress(IOptions<RecorderOptions> options) : IRecorderBaseAddress
{
    public Uri? BaseAddress { get; } = string.IsNullOrWhiteSpace(options.Value.BaseUrl) ? null : new Uri(options.Value.BaseUrl.TrimEnd('/') + "/");
}
