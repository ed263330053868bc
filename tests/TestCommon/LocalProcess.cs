using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace HlsGateway.Tests.Common;

/// <summary>A child process (redis-server, ffmpeg, nginx, prometheus, the gateway) that is killed on dispose.</summary>
public sealed class LocalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private LocalProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once <see cref="HasExited"/> (e.g. 0 after a graceful SIGTERM stop).</summary>
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static LocalProcess Start(string fileName, IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {fileName}");
        var lp = new LocalProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (lp._output) { lp._output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (lp._output) { lp._output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return lp;
    }

    /// <summary>Runs to completion (bounded) and returns (exit code, output).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        await using var p = Start(fileName, args, workingDirectory);
        using var cts = new CancellationTokenSource(timeout);
        await p._process.WaitForExitAsync(cts.Token);
        p._process.WaitForExit(); // flush redirected output
        return (p._process.ExitCode, p.Output);
    }

    public void Kill() // SIGKILL, whole tree
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public Task WaitForExitAsync(CancellationToken ct = default) => _process.WaitForExitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }
        _process.Dispose();
    }

    /// <summary>
    /// Starts a server and waits until it listens on <paramref name="port"/>; when it does not, stops it and throws with
    /// what it printed and the tail of <paramref name="logFile"/> (nginx writes its reasons there, not to stderr).
    /// </summary>
    public static async Task<LocalProcess> StartListeningAsync(string fileName, IEnumerable<string> args, int port, string? logFile = null)
    {
        var process = Start(fileName, args);
        try
        {
            await WaitForPortAsync(port, TimeSpan.FromSeconds(10));
            return process;
        }
        catch (Exception ex)
        {
            var output = process.Output;
            await process.DisposeAsync();
            var log = logFile is not null && File.Exists(logFile) ? await File.ReadAllTextAsync(logFile) : string.Empty;
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} did not start on {port}: {output}\n{log}", ex);
        }
    }

    public static int FreeTcpPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }
        }
    }
}
