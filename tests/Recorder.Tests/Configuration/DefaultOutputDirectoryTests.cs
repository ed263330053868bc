using HlsGateway.Recorder.Configuration;

namespace HlsGateway.Recorder.Tests.Configuration;

/// <summary>Recordings land outside the source tree by default (XDG data directory), never under the content root.</summary>
public sealed class DefaultOutputDirectoryTests
{
    private static string Resolve(params (string Name, string Value)[] env) =>
        RecorderOptions.DefaultOutputDirectory(name => env.FirstOrDefault(e => e.Name == name).Value);

    [Fact]
    public void Xdg_data_home_wins_when_absolute() =>
        Assert.Equal("/data/xdg/hls-gateway/recordings", Resolve(("XDG_DATA_HOME", "/data/xdg"), ("HOME", "/home/u")));

    [Fact]
    public void Relative_xdg_data_home_is_ignored_as_the_spec_says() =>
        Assert.Equal("/home/u/.local/share/hls-gateway/recordings", Resolve(("XDG_DATA_HOME", "rel"), ("HOME", "/home/u")));

    [Fact]
    public void Without_home_it_is_the_working_directory() =>
        Assert.Equal(Path.GetFullPath("recordings"), Resolve());

    [Fact]
    public void The_default_is_not_inside_the_build_output()
    {
        var dir = new RecorderOptions().OutputDirectory;
        Assert.True(Path.IsPathRooted(dir));
        Assert.False(Path.GetFullPath(dir).StartsWith(AppContext.BaseDirectory, StringComparison.Ordinal), dir);
    }
}
