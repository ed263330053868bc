namespace HlsGateway.Tests.Support;

/// <summary>
/// Base for tests of the recorder inside a real gateway: a synthetic live origin with segments 0-3
/// published, and a temporary output directory; both removed after the test.
/// </summary>
public abstract class LiveOriginTest(string directoryPrefix) : IAsyncLifetime
{
    protected string OutputDirectory { get; } = Directory.CreateTempSubdirectory(directoryPrefix).FullName;

    internal SyntheticLiveOrigin Origin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Origin = await SyntheticLiveOrigin.StartAsync();
        for (var s = 0; s <= 3; s++)
        {
            Origin.Append(s, s);
        }
    }

    public async Task DisposeAsync()
    {
        await Origin.DisposeAsync();
        Directory.Delete(OutputDirectory, recursive: true);
    }
}
