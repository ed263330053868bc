using HlsGateway.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace HlsGateway.Tests.ScaleOut;

/// <summary>
/// A JSON configuration file several gateway instances load with reloadOnChange. Rewrites are atomic
/// (write a temp file, rename over): a reader never sees a half-written file, which the JSON
/// provider would otherwise load as an empty configuration (no origins) until the next change.
/// </summary>
internal sealed class SharedConfigFile : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("gw-config");

    public SharedConfigFile(string json)
    {
        Path = System.IO.Path.Combine(_dir.FullName, "gateway.json");
        File.WriteAllText(Path, json);
    }

    public string Path { get; }

    public void AddTo(WebApplicationBuilder builder) => builder.Configuration.AddJsonFile(Path, optional: false, reloadOnChange: true);

    public async Task WriteAsync(string json)
    {
        var temp = Path + ".tmp";
        await File.WriteAllTextAsync(temp, json);
        File.Move(temp, Path, overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
