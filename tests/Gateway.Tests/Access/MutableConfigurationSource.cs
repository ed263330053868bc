using Microsoft.Extensions.Configuration;

namespace HlsGateway.Tests.Access;

/// <summary>A configuration source whose whole content can be replaced, firing a reload (like an edited appsettings.json).</summary>
internal sealed class MutableConfigurationSource : IConfigurationSource
{
    public MutableConfigurationProvider Provider { get; } = new();

    public MutableConfigurationSource(IDictionary<string, string?>? initial = null)
    {
        if (initial is not null)
        {
            Provider.Replace(initial, fireReload: false);
        }
    }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => Provider;

    public void Replace(IDictionary<string, string?> values) => Provider.Replace(values, fireReload: true);
}

internal sealed class MutableConfigurationProvider : ConfigurationProvider
{
    public void Replace(IDictionary<string, string?> values, bool fireReload)
    {
        Data = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);
        if (fireReload)
        {
            OnReload();
        }
    }
}
