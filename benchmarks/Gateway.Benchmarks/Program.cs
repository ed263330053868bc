using BenchmarkDotNet.Running;

namespace HlsGateway.Benchmarks;

// Micro-benchmarks of the gateway's hot paths: `dotnet run -c Release --project benchmarks/Gateway.Benchmarks -- --filter '*'`.
// End-to-end load runs against the nginx peer live in benchmarks/run-bench.sh.
public static class BenchmarkProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
}
