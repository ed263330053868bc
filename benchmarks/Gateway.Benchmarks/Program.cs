using BenchmarkDotNet.Running;

// Micro-benchmarks of the gateway's hot paths: `dotnet run -c Release --project benchmarks/Gateway.Benchmarks -- --filter '*'`.
// End-to-end load runs against the nginx peer live in benchmarks/run-bench.sh.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
