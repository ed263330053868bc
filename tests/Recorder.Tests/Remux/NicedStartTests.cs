using System.Diagnostics;
using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Remux;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Remux;

/// <summary>ffmpeg and ffprobe are started at the configured nice value: a remux yields the CPU to players.</summary>
public sealed class NicedStartTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(19)]
    public async Task A_process_started_through_it_runs_at_the_nice_value(int nice)
    {
        Assert.True(OperatingSystem.IsLinux(), "the gateway's priority handling is Linux's per-thread nice value");
        using var child = await NicedStart.RunAsync(nice, () => Task.FromResult(Process.Start(new ProcessStartInfo("sleep", "5"))!));
        try
        {
            Assert.Equal(nice, NiceOf(child.Id));
            Assert.Equal(NiceOf(Environment.ProcessId), NiceOf(Environment.ProcessId)); // the gateway itself is untouched
            Assert.NotEqual(nice, NiceOf(Environment.ProcessId));
        }
        finally
        {
            child.Kill();
        }
    }

    [Fact]
    public async Task Nice_zero_starts_on_the_calling_thread_at_normal_priority()
    {
        var caller = Environment.CurrentManagedThreadId;
        var ran = await NicedStart.RunAsync(0, () => Task.FromResult(Environment.CurrentManagedThreadId));
        Assert.Equal(caller, ran);
    }

    [Fact]
    public async Task Exceptions_from_the_start_reach_the_caller()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => NicedStart.RunAsync<int>(10, () => throw new InvalidOperationException("boom")));
        Assert.Equal("boom", ex.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(20)]
    public void An_out_of_range_nice_value_names_its_key(int nice)
    {
        var result = new RecorderOptionsValidator().Validate(null, new RecorderOptions { OutputDirectory = "/tmp/x", FfmpegNice = nice });
        Assert.True(result.Failed);
        Assert.Contains("Recorder:FfmpegNice", result.FailureMessage);
    }

    [Fact]
    public void The_default_is_below_normal_priority() => Assert.Equal(10, Options.Create(new RecorderOptions()).Value.FfmpegNice);

    /// <summary>Field 19 of /proc/&lt;pid&gt;/stat (after the parenthesised command name) is the nice value.</summary>
    private static int NiceOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture); // field 19 overall = index 16 after pid and comm
    }
}
