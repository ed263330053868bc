using HlsGateway.Demo;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Demo;

/// <summary>The committed samples/ (see samples/README.md) and their manifest.</summary>
public sealed class DemoSamplesTests
{
    private static string SamplesDir => Path.Combine(Tools.RepoRoot, "samples");

    [Fact]
    public async Task Manifest_DescribesTwoAlignedRenditionsOfSixTwoSecondSegments()
    {
        var samples = await DemoSamples.LoadAsync(SamplesDir, CancellationToken.None);
        Assert.Equal(["360p", "180p"], samples.Renditions.Select(r => r.Name));
        Assert.Equal(Enumerable.Repeat(TimeSpan.FromSeconds(2), 6), samples.Durations);
        Assert.Equal((640, 360), (samples.Renditions[0].Width, samples.Renditions[0].Height));
        Assert.Equal((320, 180), (samples.Renditions[1].Width, samples.Renditions[1].Height));
        Assert.All(samples.Renditions, r =>
        {
            Assert.Equal(6, r.Segments.Length);
            Assert.All(r.Segments, s => Assert.Equal(0x47, s[0]));
            Assert.Matches("^avc1\\.[0-9a-f]{6},mp4a\\.40\\.2$", r.Codecs);
            Assert.InRange(r.AverageBandwidth, 1, r.Bandwidth);
        });
    }

    [Fact]
    public void SamplesDirectory_StaysUnderThreeMegabytes()
    {
        var bytes = new DirectoryInfo(SamplesDir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Assert.InRange(bytes, 1, 3L * 1024 * 1024);
    }

    [Fact]
    public void Locate_FindsTheCopyNextToTheBuildOutput()
    {
        var dir = DemoSamples.Locate(AppContext.BaseDirectory);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "samples"), dir);
    }

    [Fact]
    public async Task Load_RefusesSegmentPathsOutsideTheSamplesDirectory()
    {
        var dir = Directory.CreateTempSubdirectory("demo-samples-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "manifest.json"),
                """{"renditions":[{"name":"x","width":2,"height":2,"codecs":"c","frameRate":30,"bandwidth":1,"averageBandwidth":1,"segments":[{"uri":"../../etc/passwd","duration":2}]}]}""");
            var ex = await Assert.ThrowsAsync<InvalidDataException>(() => DemoSamples.LoadAsync(dir.FullName, CancellationToken.None));
            Assert.Contains("outside", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
