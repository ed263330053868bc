using System.Net;
using HlsGateway.Access;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Access;

public sealed class AllowFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("allowfile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static AccessSnapshot Load(Dictionary<string, string?> settings) =>
        AccessConfigMonitor.Load(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

    [Fact]
    public void File_entries_join_the_static_list_with_comments_and_blank_lines_skipped()
    {
        var path = Write("allow.txt", ["# office", "203.0.113.0/24", "", "  2001:db8::/32   # v6 range", "198.51.100.7"]);
        var snapshot = Load(new() { ["Gateway:Access:Allow"] = "10.0.0.0/8", ["Gateway:Access:AllowFile"] = path });
        Assert.Equal(["10.0.0.0/8", "203.0.113.0/24", "2001:db8::/32", "198.51.100.7/32"], snapshot.StaticCidrs.Select(c => c.ToString()));
        Assert.True(snapshot.StaticAllow.Contains(IPAddress.Parse("::ffff:203.0.113.9")));
    }

    [Fact]
    public void Bad_lines_and_missing_files_are_start_up_errors_naming_key_and_line()
    {
        var path = Write("bad.txt", ["10.0.0.0/8", "10.0.0.5/8", "# fine", "garbage"]);
        var ex = Assert.Throws<OptionsValidationException>(() => Load(new() { ["Gateway:Access:AllowFile"] = path }));
        Assert.Contains(ex.Failures, f => f == "Gateway:Access:AllowFile: line 2: '10.0.0.5/8' has host bits set (did you mean 10.0.0.0/8?).");
        Assert.Contains(ex.Failures, f => f.StartsWith("Gateway:Access:AllowFile: line 4: 'garbage'", StringComparison.Ordinal));

        var missing = Path.Combine(_dir, "nope.txt");
        ex = Assert.Throws<OptionsValidationException>(() => Load(new() { ["Gateway:Access:AllowFile"] = missing }));
        Assert.StartsWith($"Gateway:Access:AllowFile: cannot read '{missing}'", Assert.Single(ex.Failures), StringComparison.Ordinal);

        // a file full of garbage reports 20 lines and a count, not 100k errors
        path = Write("worse.txt", Enumerable.Range(0, 1000).Select(i => "x" + i));
        ex = Assert.Throws<OptionsValidationException>(() => Load(new() { ["Gateway:Access:AllowFile"] = path }));
        Assert.Equal(21, ex.Failures.Count());
        Assert.Contains(ex.Failures, f => f.Contains("980 more invalid line(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gateway_applies_a_100k_line_file()
    {
        // every other 10.x address: 100k entries that do not merge into a few ranges
        var path = Write("100k.txt", Enumerable.Range(0, 100_000).Select(i => $"10.{(i * 2) >> 16 & 255}.{(i * 2) >> 8 & 255}.{i * 2 & 255}/32").Append("127.0.0.2/32"));
        var snapshot = Load(new() { ["Gateway:Access:AllowFile"] = path });
        Assert.Equal(100_001, snapshot.StaticAllow.RangeCount);

        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg.ts", new byte[10]);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Access:AllowFile"] = path,
            ["Gateway:Access:TrustedProxies"] = "127.0.0.1/32",
        });
        async Task<HttpStatusCode> Get(string client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/hls/news/live/seg.ts");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", client);
            using var response = await gw.Client.SendAsync(request);
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await Get("10.1.134.158"));       // i = 49999
        Assert.Equal(HttpStatusCode.Forbidden, await Get("10.1.134.159")); // the gap after it
        Assert.Equal(HttpStatusCode.Forbidden, await Get("10.3.13.64"));   // past the last entry
    }
}
