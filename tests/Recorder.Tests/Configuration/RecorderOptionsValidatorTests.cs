using HlsGateway.Recorder;
using HlsGateway.Recorder.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Configuration;

public class RecorderOptionsValidatorTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var o = new RecorderOptions();
        Assert.True(new RecorderOptionsValidator().Validate(null, o).Succeeded);
        Assert.Equal(RecorderOptions.DefaultOutputDirectory(), o.OutputDirectory);
        Assert.Equal(RemuxMode.Mp4, o.Remux);
        Assert.Equal(6, o.StallTargetDurations);
        Assert.Equal(TimeSpan.FromSeconds(10), o.LeasePeriod);
        Assert.Equal(AudioRenditions.Default, o.Renditions.Audio);
        Assert.Equal(SubtitleRenditions.Sidecar, o.Renditions.Subtitles);
    }

    [Fact]
    public void Every_error_is_reported_naming_its_key()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Recorder:SplitSeconds"] = "-1",
            ["Recorder:FileNameTemplate"] = "../{stream}",
            ["Recorder:StallTargetDurations"] = "0",
            ["Recorder:ChannelCapacity"] = "0",
            ["Recorder:LeasePeriod"] = "00:00:00.500",
            ["Recorder:BaseUrl"] = "ftp://x",
            ["Recorder:Recordings:0:Name"] = "../evil",
            ["Recorder:Recordings:0:Url"] = "/hls/o/../../x.m3u8",
            ["Recorder:Recordings:1:Name"] = "ok",
            ["Recorder:Recordings:1:Url"] = "/hls/o/live.m3u8",
            ["Recorder:Recordings:1:Variant"] = "medium",
            ["Recorder:Recordings:2:Name"] = "ok",
            ["Recorder:Recordings:2:Url"] = "http://origin/live.m3u8",
            ["Recorder:Webhooks:Urls:0"] = "not a url",
            ["Recorder:Dvr:RetentionWindow"] = "-00:00:01",
            ["Recorder:Renditions:Audio"] = "7",
            ["Recorder:Renditions:Subtitles"] = "9",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddRecorder(config).BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RecorderOptions>>().Value);
        var message = string.Join("\n", ex.Failures);
        foreach (var key in new[]
        {
            "Recorder:SplitSeconds", "Recorder:FileNameTemplate", "Recorder:StallTargetDurations", "Recorder:ChannelCapacity", "Recorder:BaseUrl", "Recorder:LeasePeriod",
            "Recorder:Recordings:0:Name", "Recorder:Recordings:0:Url", "Recorder:Recordings:1:Variant", "Recorder:Recordings:2:Name", "Recorder:Webhooks:Urls:0",
            "Recorder:Dvr:RetentionWindow", "Recorder:Renditions:Audio", "Recorder:Renditions:Subtitles",
        })
        {
            Assert.Contains(key, message);
        }
    }
}
