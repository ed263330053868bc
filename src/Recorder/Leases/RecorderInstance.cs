using HlsGateway.Recorder.Configuration;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Leases;

/// <summary>
/// This gateway instance's identity as a lease holder: <c>Recorder:InstanceId</c>, else host name, process id
/// and a random suffix (a restarted process is a new holder, so it never mistakes a dead predecessor's lease for its own).
/// </summary>
internal sealed class RecorderInstance(IOptions<RecorderOptions> options)
{
    public string Id { get; } = string.IsNullOrWhiteSpace(options.Value.InstanceId)
        ? $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}"
        : options.Value.InstanceId.Trim();
}
