// F32: plain little-endian float32, one element per block.
using System.Buffers.Binary;
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

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(i * 4)..]);
    }

    public override void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(dst[(i * 4)..], src[i]);
    }

    public override float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        float sum = 0;
        for (int i = 0; i < n; i++)
            sum += BinaryPrimitives.ReadSingleLittleEndian(weights[(i * 4)..]) * BinaryPrimitives.ReadSingleLittleEndian(activations[(i * 4)..]);
        return sum;
    }
}
