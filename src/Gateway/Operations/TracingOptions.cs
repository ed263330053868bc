namespace HlsGateway.Operations;

/// <summary><c>Gateway:Tracing</c>: opt-in OpenTelemetry tracing exported over OTLP (docs/operations.md). Read at start-up only.</summary>
internal sealed class TracingOptions
{
    public const string SectionName = "Gateway:Tracing";

    /// <summary>Trace requests and origin fetches. Default false (no listener, no cost).</summary>
    public bool Enabled { get; set; }

    /// <summary>OTLP collector base URL, e.g. <c>http://127.0.0.1:4318</c> (HTTP/protobuf: spans go to <c>/v1/traces</c>) or <c>http://127.0.0.1:4317</c> with Protocol=Grpc. Default http://localhost:4318.</summary>
    public string OtlpEndpoint { get; set; } = "http://localhost:4318";

    /// <summary><c>HttpProtobuf</c> (default) or <c>Grpc</c>.</summary>
    public string Protocol { get; set; } = "HttpProtobuf";

    /// <summary>Service name on every span. Default hls-gateway.</summary>
    public string ServiceName { get; set; } = "hls-gateway";

    /// <summary>Fraction of new traces (no sampled parent) recorded, 0..1; a parent's decision is followed. Default 1.</summary>
    public double SampleRatio { get; set; } = 1.0;
}
