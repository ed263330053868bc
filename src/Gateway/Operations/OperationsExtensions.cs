using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HlsGateway.Operations;

/// <summary>The access log and OpenTelemetry tracing (docs/operations.md): both off by default, read and validated at start-up.</summary>
internal static class OperationsExtensions
{
    /// <summary>The ActivitySource of the gateway's own spans (none yet beyond ASP.NET Core's and HttpClient's).</summary>
    public const string ActivitySourceName = "HlsGateway";

    /// <summary>Binds and validates <c>Gateway:AccessLog</c> and <c>Gateway:Tracing</c> now (every error, each naming its key).</summary>
    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        var (log, tracing) = Bind(builder.Configuration);
        // the slim builder does not apply Logging:Console: FormatterName json|systemd|simple and the formatter's
        // options are applied here (docs/operations.md); the console provider itself is not added twice
        var console = builder.Configuration.GetSection("Logging:Console");
        var formatter = console["FormatterName"];
        if (!string.IsNullOrWhiteSpace(formatter))
        {
            var formatterOptions = console.GetSection("FormatterOptions");
            switch (formatter.Trim().ToLowerInvariant())
            {
                case ConsoleFormatterNames.Json:
                    builder.Logging.AddJsonConsole(o => formatterOptions.Bind(o));
                    break;
                case ConsoleFormatterNames.Systemd:
                    builder.Logging.AddSystemdConsole(o => formatterOptions.Bind(o));
                    break;
                default:
                    builder.Logging.AddSimpleConsole(o => formatterOptions.Bind(o));
                    break;
            }
        }
        builder.Services.AddSingleton(Options.Create(log));
        if (log.Enabled)
        {
            builder.Services.AddSingleton<AccessLogWriter>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<AccessLogWriter>());
        }
        if (tracing.Enabled)
        {
            OriginTracing.Enable(); // origin fetches and pass-through carry traceparent
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService(tracing.ServiceName))
                .WithTracing(t => t
                    .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(tracing.SampleRatio)))
                    .AddSource(ActivitySourceName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments("/health") && !c.Request.Path.StartsWithSegments("/metrics"))
                    .AddHttpClientInstrumentation()
                    .AddOtlpExporter(o =>
                    {
                        var grpc = string.Equals(tracing.Protocol, "Grpc", StringComparison.OrdinalIgnoreCase);
                        o.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                        // with HttpProtobuf an explicit Endpoint is used as is: append the signal path
                        o.Endpoint = grpc ? new Uri(tracing.OtlpEndpoint) : new Uri(tracing.OtlpEndpoint.TrimEnd('/') + "/v1/traces");
                    }));
        }
        return builder;
    }

    /// <summary>First in the pipeline, so every request (also the refused ones) gets its line; nothing is added when the log is off.</summary>
    public static WebApplication UseAccessLog(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AccessLogOptions>>().Value.Enabled)
        {
            app.UseMiddleware<AccessLogMiddleware>();
        }
        return app;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every error.</summary>
    public static (AccessLogOptions AccessLog, TracingOptions Tracing) Bind(IConfiguration configuration)
    {
        var errors = new List<string>();
        var log = BindSection<AccessLogOptions>(configuration, AccessLogOptions.SectionName, errors);
        var tracing = BindSection<TracingOptions>(configuration, TracingOptions.SectionName, errors);
        errors.AddRange(OperationsValidator.Validate(log, tracing));
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(AccessLogOptions.SectionName, typeof(AccessLogOptions), errors);
        }
        return (log, tracing);
    }

    private static T BindSection<T>(IConfiguration configuration, string sectionName, List<string> errors)
        where T : new()
    {
        var section = configuration.GetSection(sectionName);
        var options = new T();
        try
        {
            section.Bind(options); // binder messages name the key
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{sectionName}: {ex.Message}");
            return options;
        }
        try
        {
            section.Bind(new T(), o => o.ErrorOnUnknownConfiguration = true); // only to report unknown keys (typos)
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{sectionName}: {ex.Message}");
        }
        return options;
    }
}
