using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Operations;

/// <summary>
/// OpenTelemetry end to end: the gateway exports spans over OTLP/HTTP protobuf to a local receiver and
/// forwards W3C <c>traceparent</c> to the origin; the trace id the origin saw is inside the exported spans.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task Spans_reach_the_OTLP_receiver_and_the_origin_gets_traceparent_of_the_same_trace()
    {
        await using var origin = await RecordingHttpServer.StartAsync();
        await using var collector = await RecordingHttpServer.StartAsync();
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Tracing:Enabled"] = "true",
            ["Gateway:Tracing:OtlpEndpoint"] = collector.BaseUrl,
            ["Gateway:Tracing:ServiceName"] = "gw-under-test",
        });

        // 1: no incoming trace: the gateway starts one, the origin fetch carries it
        using (var response = await gw.Client.GetAsync("/hls/news/a/index.m3u8"))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }
        var first = origin.Requests.Single(r => r.Path == "/a/index.m3u8");
        Assert.True(first.Headers.TryGetValue("traceparent", out var traceparent), "origin request without traceparent");
        var traceId = traceparent!.Split('-')[1];
        Assert.Equal(32, traceId.Length);

        // 2: a client's traceparent is continued: the origin sees the client's trace id, with a new parent span
        const string clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/hls/news/b/index.m3u8"))
        {
            request.Headers.TryAddWithoutValidation("traceparent", $"00-{clientTrace}-00f067aa0ba902b7-01");
            // a client of its own: in this process the gateway's tracer also listens to the test's HttpClient, whose
            // own propagator would replace the header with a trace of its own
            using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = new Uri(gw.BaseUrl) };
            using var response = await client.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
        }
        var second = origin.Requests.Single(r => r.Path == "/b/index.m3u8");
        var parts = second.Headers["traceparent"].Split('-');
        Assert.Equal(clientTrace, parts[1]);
        Assert.NotEqual("00f067aa0ba902b7", parts[2]);

        // the batch exporter posts within its 5 s schedule; OTLP protobuf carries trace ids as raw 16 bytes
        var wanted = new[] { Convert.FromHexString(traceId), Convert.FromHexString(clientTrace) };
        var service = System.Text.Encoding.UTF8.GetBytes("gw-under-test");
        var found = false;
        for (var i = 0; i < 300 && !found; i++)
        {
            var posts = collector.Requests.Where(r => r.Method == "POST" && r.Path == "/v1/traces").ToArray();
            found = wanted.All(id => posts.Any(p => p.Body.AsSpan().IndexOf(id) >= 0 && p.Body.AsSpan().IndexOf(service) >= 0));
            if (!found)
            {
                await Task.Delay(100);
            }
        }
        Assert.True(found, $"spans of both traces did not reach /v1/traces; posts: {collector.Requests.Count}");
        Assert.All(collector.Requests, r => Assert.Equal("application/x-protobuf", r.Headers["Content-Type"]));
    }

    [Fact]
    public async Task Off_by_default_no_tracer_provider_is_registered()
    {
        await using var origin = await RecordingHttpServer.StartAsync();
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Origins:news"] = origin.BaseUrl });
        using var response = await gw.Client.GetAsync("/hls/news/c/index.m3u8");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Null(gw.Services.GetService(typeof(OpenTelemetry.Trace.TracerProvider)));
    }
}
