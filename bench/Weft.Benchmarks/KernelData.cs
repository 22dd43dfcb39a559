// Seeded random weight matrices and activations shared by the kernel benchmarks.
using System.Runtime.InteropServices;
using Weft.Tensors;
using Weft.Tensors.Kernels;
using Weft.Tensors.Quantization;

namespace Weft.Benchmarks;

internal sealed unsafe class KernelData : IDisposable
{
    public QMatrix Matrix { get; }
    public float[] X { get; }
    public float[] Y { get; }
    private readonly byte* _data;

    private readonly PackedWeights _packs = new();

    /// <summary>
    /// A [rows, cols] matrix of <paramref name="type"/> (N(0, 1/cols) before quantization) and [batch, cols] activations;
    /// with <paramref name="packed"/>, its rows also packed as a loaded model's are where the format has a packing.
    /// </summary>
    public KernelData(GgmlType type, int rows, int cols, int batch, bool packed = false)
    {
        var format = QuantRegistry.Get(type);
        var rng = new Random(17);
        long rowBytes = format.RowBytes(cols);
        _data = (byte*)NativeMemory.AlignedAlloc((nuint)(rowBytes * rows), 64);
        var row = new float[cols];
        float std = 1f / MathF.Sqrt(cols);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++) row[c] = Gaussian(rng) * std;
            format.Quantize(row, new Span<byte>(_data + r * rowBytes, (int)rowBytes));
        }
        Matrix = new QMatrix(_data, type, rows, cols);
        if (packed) Matrix = _packs.Pack(Matrix);
        X = new float[batch * cols];
        for (int i = 0; i < X.Length; i++) X[i] = Gaussian(rng);
        Y = new float[batch * rows];
    }

    private static float Gaussian(Random rng) =>
        MathF.Sqrt(-2f * MathF.Log(1f - rng.NextSingle())) * MathF.Cos(2f * MathF.PI * rng.NextSingle());

    public void Dispose()
    {
        _packs.Dispose();
        NativeMemory.AlignedFree(_data);
    }
}
