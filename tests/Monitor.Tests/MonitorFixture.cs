using System.Text;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests;

/// <summary>A test origin with a small live-ish stream and helpers to build a gateway in front of it.</summary>
internal static class MonitorFixture
{
    public const string Playlist = "/live/index.m3u8";

    public static async Task<TestOrigin> StartOriginAsync()
    {
        var origin = await TestOrigin.StartAsync();
        var sb = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n");
        for (var i = 0; i < 4; i++)
        {
            sb.Append("#EXTINF:2.0,\nseg").Append(i).Append(".ts\n");
            origin.Set($"/live/seg{i}.ts", new byte[1000 + i]);
        }
        origin.Set(Playlist, sb.ToString());
        return origin;
    }

    public static Dictionary<string, string?> Settings(TestOrigin origin, params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["Gateway:Origins:o1"] = origin.BaseUrl };
        foreach (var (k, v) in extra)
        {
            settings[k] = v;
        }
        return settings;
    }
}
