using System.Collections.Concurrent;
using System.Text.Json;
using HlsGateway.Operations;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Operations;

/// <summary>The access log end to end: real gateway, real origin, lines read back from the file or the logger.</summary>
public sealed class AccessLogTests
{
    [Fact]
    public async Task Json_lines_in_a_file_carry_client_redacted_target_status_bytes_cache_and_origin_time()
    {
        await using var origin = await TestOrigin.StartAsync();
        var playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:2.0,\nseg0.ts\n#EXT-X-ENDLIST\n";
        origin.Set("/vod/index.m3u8", playlist);
        var dir = Directory.CreateTempSubdirectory("accesslog-");
        var path = Path.Combine(dir.FullName, "sub", "access.log");
        try
        {
            await using (var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
            {
                ["Gateway:Origins:news"] = origin.BaseUrl,
                ["Gateway:AccessLog:Enabled"] = "true",
                ["Gateway:AccessLog:Format"] = "Json",
                ["Gateway:AccessLog:Path"] = path,
                ["Gateway:Access:TrustedProxies"] = "127.0.0.1/32",
            }))
            {
                for (var i = 0; i < 2; i++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, "/hls/news/vod/index.m3u8");
                    request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9");
                    using var response = await gw.Client.SendAsync(request);
                    Assert.Equal(200, (int)response.StatusCode);
                }
                using (var missing = await gw.Client.GetAsync("/hls/nosuch/x.ts?exp=99&sig=topsecret&kid=k1&_HLS_msn=3"))
                {
                    Assert.Equal(404, (int)missing.StatusCode);
                }

                var lines = await ReadLinesAsync(path, 3);
                var miss = JsonDocument.Parse(lines[0]).RootElement;
                var hit = JsonDocument.Parse(lines[1]).RootElement;
                var refused = JsonDocument.Parse(lines[2]).RootElement;
                Assert.Equal("203.0.113.9", miss.GetProperty("client").GetString()); // after the trusted proxy
                Assert.Equal("GET", miss.GetProperty("method").GetString());
                Assert.Equal("/hls/news/vod/index.m3u8", miss.GetProperty("target").GetString());
                Assert.Equal(200, miss.GetProperty("status").GetInt32());
                Assert.True(miss.GetProperty("bytes").GetInt64() > 0);
                Assert.Equal("MISS", miss.GetProperty("cache").GetString());
                Assert.True(miss.GetProperty("originMs").GetDouble() >= 0); // this request fetched
                Assert.True(miss.GetProperty("durationMs").GetDouble() >= miss.GetProperty("originMs").GetDouble());
                Assert.True(DateTimeOffset.Parse(miss.GetProperty("time").GetString()!) > DateTimeOffset.UtcNow.AddMinutes(-5));
                Assert.Equal("HIT", hit.GetProperty("cache").GetString());
                Assert.Equal(JsonValueKind.Null, hit.GetProperty("originMs").ValueKind); // served from memory
                Assert.Equal(miss.GetProperty("bytes").GetInt64(), hit.GetProperty("bytes").GetInt64());
                Assert.Equal(404, refused.GetProperty("status").GetInt32());
                Assert.Equal("127.0.0.1", refused.GetProperty("client").GetString());
                Assert.Equal("/hls/nosuch/x.ts?exp=REDACTED&sig=REDACTED&kid=REDACTED&_HLS_msn=3", refused.GetProperty("target").GetString());
                Assert.DoesNotContain("topsecret", File.ReadAllText(path), StringComparison.Ordinal);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Text_lines_go_to_the_AccessLog_logger_category_when_no_path_is_set()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", new byte[1234]);
        var sink = new CapturingLoggerProvider();
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:AccessLog:Enabled"] = "true",
        }, b =>
        {
            b.Logging.AddProvider(sink);
            b.Logging.AddFilter(AccessLogWriter.LoggerCategory, LogLevel.Information);
        });
        using (var response = await gw.Client.GetAsync("/hls/news/live/seg1.ts?sig=abc"))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }
        string? line = null;
        for (var i = 0; i < 300 && line is null; i++)
        {
            line = sink.Lines.FirstOrDefault(l => l.Category == AccessLogWriter.LoggerCategory && l.Message.Contains("/hls/news/live/seg1.ts", StringComparison.Ordinal)).Message;
            if (line is null)
            {
                await Task.Delay(100);
            }
        }
        Assert.NotNull(line);
        var fields = line.Split(' ');
        Assert.Equal(9, fields.Length);
        Assert.True(DateTimeOffset.TryParse(fields[0], out _));
        Assert.Equal("127.0.0.1", fields[1]);
        Assert.Equal("GET", fields[2]);
        Assert.Equal("/hls/news/live/seg1.ts?sig=REDACTED", fields[3]);
        Assert.Equal("200", fields[4]);
        Assert.Equal("1234", fields[5]);
        Assert.True(double.TryParse(fields[6], System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Equal("MISS", fields[7]);
        Assert.True(double.Parse(fields[8], System.Globalization.CultureInfo.InvariantCulture) >= 0);
    }

    [Fact]
    public async Task Off_by_default_no_writer_and_no_file()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", new byte[10]);
        var path = Path.Combine(Path.GetTempPath(), "accesslog-off-" + Guid.NewGuid().ToString("N") + ".log");
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:AccessLog:Path"] = path,
        });
        using (var response = await gw.Client.GetAsync("/hls/news/live/seg1.ts"))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }
        Assert.Null(gw.Services.GetService<AccessLogWriter>());
        Assert.False(gw.Services.GetRequiredService<IOptions<AccessLogOptions>>().Value.Enabled);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Bad_settings_stop_start_up_naming_each_key()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:AccessLog:Enabled"] = "true",
            ["Gateway:AccessLog:Format"] = "xml",
            ["Gateway:AccessLog:QueueCapacity"] = "1",
            ["Gateway:AccessLog:Destination"] = "file",
            ["Gateway:Tracing:Enabled"] = "true",
            ["Gateway:Tracing:OtlpEndpoint"] = "not a url",
        }));
        var all = string.Join("\n", ex.Failures);
        Assert.Contains("Gateway:AccessLog:Format", all, StringComparison.Ordinal);
        Assert.Contains("Gateway:AccessLog:QueueCapacity", all, StringComparison.Ordinal);
        Assert.Contains("Destination", all, StringComparison.Ordinal); // unknown key: a typo is not ignored
        Assert.Contains("Gateway:Tracing:OtlpEndpoint", all, StringComparison.Ordinal);
    }

    private static async Task<string[]> ReadLinesAsync(string path, int count)
    {
        for (var i = 0; i < 300; i++)
        {
            if (File.Exists(path))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var lines = (await new StreamReader(stream).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (lines.Length >= count)
                {
                    return lines;
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{path}: fewer than {count} lines after 30 s");
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, string Message)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue((category, formatter(state, exception)));
        }
    }
}
