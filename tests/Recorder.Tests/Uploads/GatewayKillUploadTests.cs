using System.Globalization;
using System.Text.RegularExpressions;
using HlsGateway.Recorder.Uploads;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Uploads;

/// <summary>The real gateway process is killed with SIGKILL during a tus upload and started again on the same output root.</summary>
public partial class GatewayKillUploadTests
{
    [Fact]
    public async Task Kill_9_of_the_gateway_during_an_upload_resumes_after_restart_from_the_servers_offset()
    {
        await using var t = new UploadTestSupport();
        var tusPort = LocalProcess.FreeTcpPort();
        await using var tus = await NodeServers.StartAsync("tus-server.mjs", tusPort, tusPort.ToString(CultureInfo.InvariantCulture), t.TargetDir, "150");
        var (p, sha) = t.MakePart("cam/p001.mp4", 4 * 1024 * 1024 + 7);
        // a part finished before the gateway started, already in the journal (what record.part would have queued)
        new UploadJournal(t.Root).Save([new UploadItem { Sequence = 1, Recording = "cam", Part = 1, Path = p, Bytes = 4 * 1024 * 1024 + 7, EnqueuedUtc = DateTimeOffset.UtcNow }]);

        var first = StartGateway(t.Root, tusPort);
        try
        {
            await Poll.UntilAsync(() => PatchLine().Matches(tus.Output).Count >= 4 || first.HasExited, TimeSpan.FromSeconds(60));
            Assert.False(first.HasExited, first.Output);
            first.Kill(); // SIGKILL: no shutdown code runs
            await first.WaitForExitAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }
        var killedAt = tus.Output.Length;
        var crashed = new UploadJournal(t.Root).Load().Single();
        Assert.Equal(UploadState.Uploading, crashed.State);
        Assert.StartsWith($"http://127.0.0.1:{tusPort}/files/", crashed.ResumeState);

        await using var second = StartGateway(t.Root, tusPort);
        UploadItem? done = null;
        await Poll.UntilAsync(() => (done = new UploadJournal(t.Root).Load().Single()).State is UploadState.Done or UploadState.Failed || second.HasExited, TimeSpan.FromSeconds(90));
        Assert.True(done!.State == UploadState.Done, $"{done.State} {done.Error}\n{second.Output}\n{tus.Output}");

        var after = tus.Output[killedAt..];
        var log = tus.Output;
        Assert.Single(Regex.Matches(log, "^POST ", RegexOptions.Multiline));   // one upload, resumed
        var head = Regex.Match(after, @"^HEAD \S+ in=- -> 200 out=(\d+)", RegexOptions.Multiline);
        Assert.True(head.Success, after);
        var resumedAt = long.Parse(head.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(resumedAt >= 4 * 256 * 1024, after);
        var patches = PatchLine().Matches(after).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(patches);
        Assert.Equal(resumedAt, patches[0]);
        Assert.DoesNotContain(0L, patches);
        Assert.Equal(sha, UploadTestSupport.Sha256Of(Path.Combine(t.TargetDir, done.RemoteId!.Split('/')[^1])));
        Assert.False(File.Exists(Path.Combine(t.Root, p))); // deleted only now, after verification
    }

    private static LocalProcess StartGateway(string root, int tusPort)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Gateway.dll");
        var port = LocalProcess.FreeTcpPort();
        return LocalProcess.Start("dotnet", [dll,
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{port}",
            $"--Recorder:OutputDirectory={root}",
            "--Recorder:Upload:Target=tus",
            $"--Recorder:Upload:TusUrl=http://127.0.0.1:{tusPort}/files/",
            "--Recorder:Upload:ChunkSize=262144",
            "--Recorder:Upload:RetryDelay=00:00:00.200",
            "--Recorder:Upload:MaxRetryDelay=00:00:01",
            "--Recorder:DeleteAfterUpload=true",
            "--Logging:LogLevel:Default=Warning"], AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^PATCH \S+ in=(\d+) -> 204", RegexOptions.Multiline)]
    private static partial Regex PatchLine();
}
