// BF16: bfloat16 (the upper 16 bits of a float32), little endian, one element per block (ggml's GGML_TYPE_BF16).
using System.Buffers.Binary;

namespace Weft.Tensors.Quantization;

public sealed class BF16Format : QuantFormat
{
    public override GgmlType Type => GgmlType.BF16;
    public override GgmlType DotType => GgmlType.F32;

    public override unsafe void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int n = dst.Length;
        _ = src[..(n * 2)];
        fixed (byte* s = src)
        fixed (float* d = dst)
            HalfRows.Dequantize<BFloat16Decoder>((ushort*)s, d, n);
    }

    /// <summary>Weights are converted offline, so the scalar definition is fast enough.</summary>
    public override void Quantize(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeReference(src, dst);

    public override unsafe float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        _ = weights[..(n * 2)];
        _ = activations[..(n * 4)];
        fixed (byte* w = weights)
        fixed (byte* x = activations)
            return HalfRows.Dot<BFloat16Decoder>((ushort*)w, (float*)x, n);
    }

    public override unsafe void DotTile(byte* w, long wStride, int rows, byte* x, int xStride, int tokens, int n, float* y, int yStride)
    {
        if (wStride % 2 != 0 || xStride % 4 != 0) { base.DotTile(w, wStride, rows, x, xStride, tokens, n, y, yStride); return; }
        HalfRows.DotTile<BFloat16Decoder>((ushort*)w, wStride / 2, rows, (float*)x, xStride / 4, tokens, n, y, yStride);
    }

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++)
            dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(i * 2)..]) << 16);
    }

    public override void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(dst[(i * 2)..], FromSingle(src[i]));
    }

    public override float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        float sum = 0;
        for (int i = 0; i < n; i++)
        {
            float w = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(weights[(i * 2)..]) << 16);
            sum += w * BinaryPrimitives.ReadSingleLittleEndian(activations[(i * 4)..]);
        }
        return sum;
    }

    /// <summary>
    /// float32 → bfloat16 as ggml_compute_fp32_to_bf16 does: round to nearest even on the dropped 16 bits
    /// (overflow rounds to infinity), NaNs keep their upper bits and are made quiet; subnormals are not flushed.
    /// </summary>
    public static ushort FromSingle(float value)
    {
        uint u = BitConverter.SingleToUInt32Bits(value);
        if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (ushort)((u >> 16) | 0x40);
        return (ushort)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
    }
}
