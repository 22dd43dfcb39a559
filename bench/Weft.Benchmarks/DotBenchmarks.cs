// One row dot product per format against its activation type: the inner loop of decoding, single-threaded.
using BenchmarkDotNet.Attributes;
using Weft.Tensors;
using Weft.Tensors.Quantization;

namespace Weft.Benchmarks;

[MemoryDiagnoser]
public class DotBenchmarks
{
    private KernelData _data = null!;
    private byte[] _xq = [];
    private QuantFormat _format = null!;

    [Params(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K)]
    public GgmlType Type { get; set; }

    /// <summary>Elements per row: TinyLlama's embedding width.</summary>
    public const int Cols = 2048;

    /// <summary>Rows per invocation: enough that the matrix (not one row) is what is read.</summary>
    public const int Rows = 256;

    [GlobalSetup]
    public void Setup()
    {
        _data = new KernelData(Type, Rows, Cols, 1);
        _format = _data.Matrix.Format;
        var dot = QuantRegistry.Get(_format.DotType);
        _xq = new byte[dot.RowBytes(Cols)];
        if (dot.Type == GgmlType.F32) System.Runtime.InteropServices.MemoryMarshal.AsBytes(_data.X.AsSpan()).CopyTo(_xq);
        else dot.Quantize(_data.X, _xq);
    }

    [GlobalCleanup]
    public void Cleanup() => _data.Dispose();

    [Benchmark(OperationsPerInvoke = Rows)]
    public float RowDot()
    {
        var m = _data.Matrix;
        float s = 0;
        for (int r = 0; r < Rows; r++) s += _format.Dot(m.Row(r), _xq, Cols);
        return s;
    }
}
