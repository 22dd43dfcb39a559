// Kernel benchmarks: dotnet run -c Release --project bench/Weft.Benchmarks -- --filter '*MatMul*' [--job short] [--inProcess]
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
