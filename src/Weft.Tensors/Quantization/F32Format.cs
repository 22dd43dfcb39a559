// F32: plain little-endian float32, one element per block.
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Weft.Tensors.Quantization;

public sealed class F32Format : QuantFormat
{
    public override GgmlType Type => GgmlType.F32;
    public override GgmlType DotType => GgmlType.F32;

    public override void Dequantize(ReadOnlySpan<byte> src, Span<float> dst) =>
        MemoryMarshal.Cast<byte, float>(src)[..dst.Length].CopyTo(dst);

    public override void Quantize(ReadOnlySpan<float> src, Span<byte> dst) =>
        MemoryMarshal.AsBytes(src).CopyTo(dst);

    public override float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n) =>
        TensorPrimitives.Dot(MemoryMarshal.Cast<byte, float>(weights)[..n], MemoryMarshal.Cast<byte, float>(activations)[..n]);

    public static void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = BitConverter.ToSingle(src.Slice(i * 4, 4));
    }

    public static float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += (double)BitConverter.ToSingle(weights.Slice(i * 4, 4)) * BitConverter.ToSingle(activations.Slice(i * 4, 4));
        return (float)sum;
    }
}
