// F16: IEEE binary16, little endian, one element per block (ggml's GGML_TYPE_F16); activations stay float32.
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Weft.Tensors.Quantization;

public sealed class F16Format : QuantFormat
{
    public override GgmlType Type => GgmlType.F16;
    public override GgmlType DotType => GgmlType.F32;

    public override unsafe void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int n = dst.Length;
        _ = src[..(n * 2)];
        fixed (byte* s = src)
        fixed (float* d = dst)
            HalfRows.Dequantize<HalfDecoder>((ushort*)s, d, n);
    }

    /// <summary>Round to nearest even, as ggml's fp32→fp16 and numpy's astype(float16) do.</summary>
    public override void Quantize(ReadOnlySpan<float> src, Span<byte> dst) =>
        TensorPrimitives.ConvertToHalf(src, MemoryMarshal.Cast<byte, Half>(dst[..(src.Length * 2)]));

    public override unsafe float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        _ = weights[..(n * 2)];
        _ = activations[..(n * 4)];
        fixed (byte* w = weights)
        fixed (byte* x = activations)
            return HalfRows.Dot<HalfDecoder>((ushort*)w, (float*)x, n);
    }

    public override unsafe void DotTile(byte* w, long wStride, int rows, byte* x, int xStride, int tokens, int n, float* y, int yStride)
    {
        if (wStride % 2 != 0 || xStride % 4 != 0) { base.DotTile(w, wStride, rows, x, xStride, tokens, n, y, yStride); return; }
        HalfRows.DotTile<HalfDecoder>((ushort*)w, wStride / 2, rows, (float*)x, xStride / 4, tokens, n, y, yStride);
    }

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(i * 2)..]);
    }

    public override void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(dst[(i * 2)..], (Half)src[i]);
    }

    public override float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        float sum = 0;
        for (int i = 0; i < n; i++)
            sum += (float)BinaryPrimitives.ReadHalfLittleEndian(weights[(i * 2)..]) * BinaryPrimitives.ReadSingleLittleEndian(activations[(i * 4)..]);
        return sum;
    }
}
