using System.Net;
using System.Security.Cryptography;
using HlsGateway.Hosting;
using HlsGateway.Tests.Common;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Hosting;

/// <summary>
/// Gateway:Hosting:IoBlockSize: Kestrel's connection pipes take their blocks from <see cref="IoBlockPool"/> (the
/// socket transport really uses it), every byte still arrives with any block size, and blocks are reused and trimmed.
/// </summary>
public sealed class IoBlockPoolTests
{
    [Fact]
    public void Blocks_are_the_configured_size_reused_and_a_larger_request_is_refused()
    {
        using var pool = new IoBlockPool(64 * 1024);
        Assert.Equal(64 * 1024, pool.MaxBufferSize);
        var a = pool.Rent(); // -1: any size
        var b = pool.Rent(4096);
        Assert.Equal(64 * 1024, a.Memory.Length);
        Assert.Equal(64 * 1024, b.Memory.Length);
        Assert.Equal(2, pool.InUse);
        var first = a.Memory;
        a.Dispose();
        a.Dispose(); // a second Dispose must not queue the block twice
        Assert.Equal(1, pool.InUse);
        Assert.Equal(1, pool.Free);
        using var c = pool.Rent(64 * 1024);
        Assert.True(c.Memory.Span == first.Span, "the returned block is handed out again");
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(64 * 1024 + 1));
        b.Dispose();
    }

    [Fact]
    public void Trim_keeps_what_the_recent_peak_needs_and_lets_go_of_the_rest_when_idle()
    {
        using var pool = new IoBlockPool(4096);
        var rented = Enumerable.Range(0, 40).Select(_ => pool.Rent()).ToList();
        rented.ForEach(r => r.Dispose());
        Assert.Equal(40, pool.Free);
        pool.Trim(); // the last period peaked at 40 in use: all 40 may be needed again
        Assert.Equal(40, pool.Free);
        pool.Trim(); // idle for a period: half of the surplus goes
        Assert.Equal(20, pool.Free);
        pool.Trim();
        pool.Trim();
        Assert.Equal(5, pool.Free);
    }

    [Fact]
    public async Task The_socket_transport_uses_the_pool_and_large_responses_arrive_whole()
    {
        var origin = await TestOrigin.StartAsync();
        await using var _o = origin;
        var segment = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 77);
        origin.Set("/live/seg.ts", segment);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Origins:o"] = origin.BaseUrl });
        var factory = Assert.IsType<IoBlockPoolFactory>(gw.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
        Assert.Equal(64 * 1024, factory.BlockSize); // the default
        using var client = new HttpClient();
        var body = await client.GetByteArrayAsync(gw.BaseUrl + "/hls/o/live/seg.ts");
        Assert.Equal(SHA256.HashData(segment), SHA256.HashData(body));
        Assert.True(Interlocked.Read(ref factory.BlocksAllocated) > 0, "Kestrel's pipes did not rent from the pool");
    }

    [Fact]
    public async Task Zero_keeps_Kestrels_own_pool()
    {
        var origin = await TestOrigin.StartAsync();
        await using var _o = origin;
        origin.Set("/live/seg.ts", new byte[100_000]);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Hosting:IoBlockSize"] = "0",
        });
        Assert.IsNotType<IoBlockPoolFactory>(gw.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
        using var client = new HttpClient();
        using var response = await client.GetAsync(gw.BaseUrl + "/hls/o/live/seg.ts");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("1000")]
    [InlineData("5000")]
    [InlineData("2097152")]
    [InlineData("-4096")]
    public void A_block_size_that_is_not_a_multiple_of_4096_in_range_stops_start_up_naming_the_key(string value)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build([
            "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0",
            $"--Gateway:Hosting:IoBlockSize={value}",
        ]));
        Assert.Contains("Gateway:Hosting:IoBlockSize", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }
}
