using System.Diagnostics;
using System.Net;
using HlsGateway.Access;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.ScaleOut;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Resilience;

/// <summary>
/// The configuration file is rewritten while players load the gateway: a new origin is added and the
/// signing key is rotated (new key added, players switch, old key retired). No request fails.
/// </summary>
public sealed class ConfigReloadUnderLoadTests(ITestOutputHelper output)
{
    private sealed class Signer(string kid, byte[] key)
    {
        public string Kid => kid;

        public string KeyBase64 => Convert.ToBase64String(key);

        public string Sign(string path, long exp) => path + "?" + UrlSignature.BuildQuery(key, kid, exp, path, null, null);
    }

    [Fact]
    public async Task Adding_an_origin_and_rotating_the_signing_key_under_load_fails_no_request()
    {
        await using var origin1 = await TestOrigin.StartAsync();
        await using var origin2 = await TestOrigin.StartAsync();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, origin) in new[] { ("o1", origin1), ("o2", origin2) })
        {
            for (var i = 0; i < 2000; i++)
            {
                var body = new byte[i < 4 ? 50_000 : 2048];
                new Random(name.GetHashCode(StringComparison.Ordinal) ^ i).NextBytes(body);
                files[$"/hls/{name}/live/s{i}.ts"] = body;
                origin.Set($"/live/s{i}.ts", body);
            }
        }
        var k1 = new Signer("k1", RandomKey(1));
        var k2 = new Signer("k2", RandomKey(2));
        string Config(bool withO2, params Signer[] keys) =>
            $$"""
            { "Gateway": {
                "Origins": { "o1": "{{origin1.BaseUrl}}"{{(withO2 ? $", \"o2\": \"{origin2.BaseUrl}\"" : "")}} },
                "Signing": { "Required": true, "Keys": { {{string.Join(", ", keys.Select(k => $"\"{k.Kid}\": \"{k.KeyBase64}\""))}} } } } }
            """;
        using var config = new SharedConfigFile(Config(false, k1));
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>(), config.AddTo);
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri(gw.BaseUrl),
            Timeout = TimeSpan.FromSeconds(30),
        };
        var exp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600;

        // players sign with the current key and use the origins they know of; half replay cached segments, half new ones
        var signer = k1;
        var origins = new[] { "o1" };
        var next = -1;
        var load = new BoundedLoad().Start(client, workers: 8, (w, n) =>
        {
            var known = Volatile.Read(ref origins);
            var origin = known[n % known.Length];
            var segment = w % 2 == 0 ? n % 4 : 4 + (Interlocked.Increment(ref next) % 1996);
            return Volatile.Read(ref signer).Sign($"/hls/{origin}/live/s{segment}.ts", exp);
        }, target => files[target[..target.IndexOf('?', StringComparison.Ordinal)]]);
        await Task.Delay(1000);

        // 1: add origin o2 and key k2 (k1 stays)
        var reload = Stopwatch.StartNew();
        await config.WriteAsync(Config(true, k1, k2));
        while (true)
        {
            using var r = await gw.Client.GetAsync(k2.Sign("/hls/o2/live/s0.ts", exp));
            if (r.StatusCode == HttpStatusCode.OK)
            {
                break;
            }
            Assert.True(reload.Elapsed < TimeSpan.FromSeconds(5), $"new origin + key still {(int)r.StatusCode} after {reload.Elapsed}");
            await Task.Delay(20);
        }
        var firstReload = reload.Elapsed;
        var switchedAt = load.Elapsed;
        Volatile.Write(ref signer, k2);
        Volatile.Write(ref origins, ["o1", "o2"]);
        await Task.Delay(1000);

        // 2: retire k1
        reload.Restart();
        await config.WriteAsync(Config(true, k2));
        while (true)
        {
            using var r = await gw.Client.GetAsync(k1.Sign("/hls/o1/live/s0.ts", exp));
            if (r.StatusCode == HttpStatusCode.Forbidden)
            {
                Assert.Contains("Unknown signing key", await r.Content.ReadAsStringAsync());
                break;
            }
            Assert.True(reload.Elapsed < TimeSpan.FromSeconds(5), $"retired key still {(int)r.StatusCode} after {reload.Elapsed}");
            await Task.Delay(20);
        }
        var secondReload = reload.Elapsed;
        await Task.Delay(1000);
        var samples = await load.StopAsync();

        output.WriteLine($"o2 + k2 live after {firstReload.TotalMilliseconds:0} ms; k1 refused after {secondReload.TotalMilliseconds:0} ms");
        output.WriteLine("all: " + BoundedLoad.Summary(samples));
        output.WriteLine("after the switch, o2: " + BoundedLoad.Summary(samples.Where(s => s.At > switchedAt && s.Path.StartsWith("/hls/o2/", StringComparison.Ordinal)).ToArray()));
        BoundedLoad.AssertNoFailures(samples);
        Assert.True(samples.Count(s => s.Path.StartsWith("/hls/o2/", StringComparison.Ordinal)) > 50, "the new origin served players");
        Assert.True(samples.Count(s => s.Path.Contains("kid=k2", StringComparison.Ordinal)) > 50, "the new key was used");
        Assert.True(samples.Count(s => s.Path.StartsWith("/hls/o1/", StringComparison.Ordinal) && s.At > switchedAt) > 50, "the existing origin kept serving");
    }

    private static byte[] RandomKey(int seed)
    {
        var key = new byte[32];
        new Random(seed).NextBytes(key);
        return key;
    }
}
