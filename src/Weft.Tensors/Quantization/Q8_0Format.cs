// Q8_0: 32 elements in 34 bytes — fp16 scale d, then 32 signed bytes q; x = d·q (ggml block_q8_0).
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Weft.Tensors.Quantization;

public sealed class Q8_0Format : QuantFormat
{
    private const int Qk = 32;
    private const int Bytes = 34;

    public override GgmlType Type => GgmlType.Q8_0;
    public override GgmlType DotType => GgmlType.Q8_0;

    public override unsafe void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = Int8Blocks.BlockCount(dst.Length);
        if (!Int8Blocks.IsAccelerated) { DequantizeReference(src, dst); return; }
        fixed (byte* s = src[..(blocks * Bytes)])
        fixed (float* d = dst)
            Int8Blocks.Dequantize<Block>(s, d, blocks);
    }

    /// <summary>Activations are quantized once per row per matrix product, so this one is vectorised.</summary>
    public override unsafe void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int blocks = Int8Blocks.BlockCount(src.Length);
        if (!Q8Rows.IsAccelerated) { QuantizeReference(src, dst); return; }
        fixed (float* x = src)
        fixed (byte* y = dst[..(blocks * Bytes)])
            Q8Rows.Quantize(x, y, blocks, withSum: false);
    }

    public override unsafe float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        int blocks = Int8Blocks.BlockCount(n);
        if (!Int8Blocks.IsAccelerated) return DotReference(weights, activations, n);
        fixed (byte* w = weights[..(blocks * Bytes)])
        fixed (byte* a = activations[..(blocks * Bytes)])
            return Int8Blocks.Dot<Block, Block>(w, a, blocks);
    }

    public override unsafe void DotTile(byte* w, long wStride, int rows, byte* x, int xStride, int tokens, int n, float* y, int yStride)
    {
        if (!Int8Blocks.IsAccelerated) { base.DotTile(w, wStride, rows, x, xStride, tokens, n, y, yStride); return; }
        Int8Blocks.DotTile<Block, Block>(w, wStride, rows, x, xStride, tokens, Int8Blocks.BlockCount(n), y, yStride);
    }

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Qk; b++)
        {
            ReadOnlySpan<byte> blk = src.Slice(b * Bytes, Bytes);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(blk);
            for (int j = 0; j < Qk; j++) dst[b * Qk + j] = (sbyte)blk[2 + j] * d;
        }
    }

    /// <summary>quantize_row_q8_0_ref: d = amax/127, q = round(x/d) with halves away from zero.</summary>
    public override void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int b = 0; b < src.Length / Qk; b++)
        {
            ReadOnlySpan<float> x = src.Slice(b * Qk, Qk);
            Span<byte> blk = dst.Slice(b * Bytes, Bytes);
            float amax = 0;
            for (int j = 0; j < Qk; j++) amax = Math.Max(amax, Math.Abs(x[j]));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            BinaryPrimitives.WriteHalfLittleEndian(blk, (Half)d);
            for (int j = 0; j < Qk; j++) blk[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
        }
    }

    public override float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        float sum = 0;
        for (int b = 0; b < n / Qk; b++)
        {
            ReadOnlySpan<byte> x = weights.Slice(b * Bytes, Bytes), y = activations.Slice(b * Bytes, Bytes);
            int sumi = 0;
            for (int j = 0; j < Qk; j++) sumi += (sbyte)x[2 + j] * (sbyte)y[2 + j];
            sum += sumi * ((float)BinaryPrimitives.ReadHalfLittleEndian(x) * (float)BinaryPrimitives.ReadHalfLittleEndian(y));
        }
        return sum;
    }

    /// <summary>Block access for the vector driver, as weights and as activations.</summary>
    internal readonly unsafe struct Block : IInt8Block, IQ8Activation
    {
        public static int Bytes => Q8_0Format.Bytes;
        public static bool HasMin => false;
        public static int QuantsOffset => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Scale(byte* block) => Fp16.Read(block);
        public static float Min(byte* block) => 0;
        public static float ScaledSum(byte* block) => throw new UnreachableException("Q8_0 activations carry no sum");

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<sbyte> Quants256(byte* block) => Vector256.Load((sbyte*)(block + 2));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Quants128(byte* block, out Vector128<sbyte> lo, out Vector128<sbyte> hi)
        {
            lo = Vector128.Load((sbyte*)(block + 2));
            hi = Vector128.Load((sbyte*)(block + 18));
        }
    }
}
