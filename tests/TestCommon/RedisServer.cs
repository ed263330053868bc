namespace HlsGateway.Tests.Common;

/// <summary>A real redis-server on a free loopback port, no persistence; stop/start to simulate outages.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private LocalProcess? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(LocalProcess.FreeTcpPort());
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        _process = LocalProcess.Start(Tools.RedisServer, ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"]);
        await LocalProcess.WaitForPortAsync(Port, TimeSpan.FromSeconds(10));
    }

    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Every key in the server right now (SCAN), e.g. to check what the shared cache tier holds.</summary>
    public async Task<string[]> KeysAsync(string pattern = "*")
    {
        await using var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(ConnectionString);
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: pattern))
        {
            keys.Add(key.ToString());
        }
        return keys.ToArray();
    }

    public ValueTask DisposeAsync() => _process?.DisposeAsync() ?? ValueTask.CompletedTask;
}
