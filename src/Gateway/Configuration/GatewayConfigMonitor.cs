using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace HlsGateway.Configuration;

/// <summary>
/// Holds the current validated <see cref="GatewayOptions"/>. The first load must be valid (start-up
/// stops with every error, each naming its key); a bad reload is logged and the last good snapshot
/// stays. We do not use IOptionsMonitor + IValidateOptions for this because a failed validation on
/// reload throws from the configuration change callback.
/// </summary>
internal sealed partial class GatewayConfigMonitor : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ILogger<GatewayConfigMonitor> _logger;
    private readonly IDisposable _subscription;
    private readonly GatewayOptionsValidator _validator = new();
    private volatile GatewayOptions _current;

    public GatewayConfigMonitor(IConfiguration configuration, ILogger<GatewayConfigMonitor> logger)
    {
        _configuration = configuration;
        _logger = logger;
        _current = BindAndValidate(configuration, _validator);
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public GatewayOptions Current => _current;

    /// <summary>Raised after a valid reload, with the new snapshot.</summary>
    public event Action<GatewayOptions>? Changed;

    /// <summary>Binds the section and throws <see cref="OptionsValidationException"/> listing every error.</summary>
    public static GatewayOptions BindAndValidate(IConfiguration configuration, GatewayOptionsValidator validator)
    {
        var options = new GatewayOptions();
        try
        {
            configuration.GetSection(GatewayOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // binder errors name the key in the message ("Failed to convert configuration value at 'Gateway:...'")
            throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions), [ex.Message]);
        }
        var result = validator.Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions), result.Failures);
        }
        return options;
    }

    private void Reload()
    {
        try
        {
            var next = BindAndValidate(_configuration, _validator);
            _current = next;
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
        [LoggerMessage(EventId = 1010, EventName = "ConfigReloadRejected", Level = LogLevel.Error, Message = "Configuration reload rejected, keeping the last good configuration: {Errors}")]
        public static partial void ReloadRejected(ILogger logger, string errors);

        [LoggerMessage(EventId = 1011, EventName = "ConfigReloadFailed", Level = LogLevel.Error, Message = "Configuration reload failed, keeping the last good configuration.")]
        public static partial void ReloadFailed(ILogger logger, Exception exception);
    }
}
