// A whole matrix product the size of TinyLlama's FFN up projection ([5632, 2048]), for decoding (batch 1) and prompts,
// with rows as stored and packed.
using BenchmarkDotNet.Attributes;
using Weft.Tensors;
using Weft.Tensors.Kernels;
using Weft.Tensors.Threading;

namespace Weft.Benchmarks;

[MemoryDiagnoser]
public class MatMulBenchmarks
{
    private KernelData _data = null!;
    private WorkerPool _pool = null!;
    private MatMul _matmul = null!;

    [Params(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K)]
    public GgmlType Type { get; set; }

    [Params(1, 32)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Rows packed eight at a time as a loaded model's (for the formats that have a packing), or row-major.</summary>
    [Params(false, true)]
    public bool Packed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new KernelData(Type, 5632, 2048, Batch, Packed);
        _pool = new WorkerPool(Threads);
        _matmul = new MatMul(_pool);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _data.Dispose();
    }

    [Benchmark]
    public void Run() => _matmul.Run(_data.Matrix, _data.X, Batch, _data.Y);
}
