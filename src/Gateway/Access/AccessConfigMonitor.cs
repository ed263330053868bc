using HlsGateway.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace HlsGateway.Access;

/// <summary>
/// Current validated access configuration (signing keys, allowlist, admin token, rate limits). As with
/// <see cref="GatewayConfigMonitor"/>: the first load must be valid (start-up stops with every error, each
/// naming its key), a bad reload is logged and the last good snapshot stays. Keys and the allowlist apply
/// on reload without a restart; trusted proxies and rate limits are read at start-up.
/// </summary>
internal sealed partial class AccessConfigMonitor : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ILogger<AccessConfigMonitor> _logger;
    private readonly IDisposable _subscription;
    private volatile AccessSnapshot _current;

    public AccessConfigMonitor(IConfiguration configuration, ILogger<AccessConfigMonitor> logger)
    {
        _configuration = configuration;
        _logger = logger;
        _current = Load(configuration);
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public AccessSnapshot Current => _current;

    /// <summary>Raised after a valid reload, with the new snapshot.</summary>
    public event Action<AccessSnapshot>? Changed;

    /// <summary>Binds and validates; throws <see cref="OptionsValidationException"/> listing every error.</summary>
    public static AccessSnapshot Load(IConfiguration configuration)
    {
        var options = new AccessOptions();
        var section = configuration.GetSection(GatewayOptions.SectionName);
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(GatewayOptions.SectionName, typeof(AccessOptions), [ex.Message]);
        }
        // Environment variables give lists as one value: Gateway__Access__Allow="10.0.0.0/8, 192.168.0.0/16".
        AddListValue(options.Access.Allow, section.GetSection("Access:Allow"));
        AddListValue(options.Access.TrustedProxies, section.GetSection("Access:TrustedProxies"));
        var result = new AccessOptionsValidator().Validate(null, options);
        var errors = result.Failed ? result.Failures.ToList() : [];
        var fileCidrs = AllowFileReader.Read(options.Access.AllowFile, errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(GatewayOptions.SectionName, typeof(AccessOptions), errors);
        }
        return new AccessSnapshot(options, fileCidrs);
    }

    private static void AddListValue(List<string> list, IConfigurationSection section)
    {
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            list.AddRange(section.Value.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
    }

    private void Reload()
    {
        try
        {
            var next = Load(_configuration);
            _current = next;
            Log.Reloaded(_logger, next.Keys.Count, next.StaticCidrs.Count);
            Changed?.Invoke(next);
        }
        catch (OptionsValidationException ex)
        {
            Log.ReloadRejected(_logger, string.Join(" ", ex.Failures));
        }
        catch (Exception ex)
        {
            Log.ReloadFailed(_logger, ex);
        }
    }

    public void Dispose() => _subscription.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, EventName = "AccessConfigReloaded", Level = LogLevel.Information, Message = "Access configuration reloaded: {Keys} signing key(s), {Cidrs} static allowlist CIDR(s).")]
        public static partial void Reloaded(ILogger logger, int keys, int cidrs);

        [LoggerMessage(EventId = 3002, EventName = "AccessConfigReloadRejected", Level = LogLevel.Error, Message = "Access configuration reload rejected, keeping the last good configuration: {Errors}")]
        public static partial void ReloadRejected(ILogger logger, string errors);

        [LoggerMessage(EventId = 3003, EventName = "AccessConfigReloadFailed", Level = LogLevel.Error, Message = "Access configuration reload failed, keeping the last good configuration.")]
        public static partial void ReloadFailed(ILogger logger, Exception exception);
    }
}
