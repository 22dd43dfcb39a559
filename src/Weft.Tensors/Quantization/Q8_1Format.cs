// Q8_1: 32 elements in 36 bytes — fp16 scale d, fp16 s = d·Σq, then 32 signed bytes q; x = d·q (ggml block_q8_1).
// Mostly an activation format: the "_1" weight formats need s for their minimum term.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Weft.Tensors.Quantization;

public sealed class Q8_1Format : QuantFormat
{
    private const int Qk = 32;
    private const int Bytes = 36;

    public override GgmlType Type => GgmlType.Q8_1;
    public override GgmlType DotType => GgmlType.Q8_1;

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
            Q8Rows.Quantize(x, y, blocks, withSum: true);
    }

    /// <summary>Q8_1·Q8_1: the sums are not needed when neither side has a minimum.</summary>
    public override unsafe float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        int blocks = Int8Blocks.BlockCount(n);
        if (!Int8Blocks.IsAccelerated) return DotReference(weights, activations, n);
        fixed (byte* w = weights[..(blocks * Bytes)])
        fixed (byte* a = activations[..(blocks * Bytes)])
            return Int8Blocks.Dot<Block, Block>(w, a, blocks);
    }

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Qk; b++)
        {
            ReadOnlySpan<byte> blk = src.Slice(b * Bytes, Bytes);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(blk);
            for (int j = 0; j < Qk; j++) dst[b * Qk + j] = (sbyte)blk[4 + j] * d;
        }
    }

    /// <summary>quantize_row_q8_1_ref: as Q8_0, plus s = fp16(Σq · d) with the unrounded d.</summary>
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
            int sum = 0;
            for (int j = 0; j < Qk; j++)
            {
                sbyte q = (sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
                blk[4 + j] = (byte)q;
                sum += q;
            }
            BinaryPrimitives.WriteHalfLittleEndian(blk, (Half)d);
            BinaryPrimitives.WriteHalfLittleEndian(blk[2..], (Half)(sum * d));
        }
    }

    public override float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        float sum = 0;
        for (int b = 0; b < n / Qk; b++)
        {
            ReadOnlySpan<byte> x = weights.Slice(b * Bytes, Bytes), y = activations.Slice(b * Bytes, Bytes);
            int sumi = 0;
            for (int j = 0; j < Qk; j++) sumi += (sbyte)x[4 + j] * (sbyte)y[4 + j];
            sum += sumi * ((float)BinaryPrimitives.ReadHalfLittleEndian(x) * (float)BinaryPrimitives.ReadHalfLittleEndian(y));
        }
        return sum;
    }

    /// <summary>Block access for the vector driver, as weights and as activations.</summary>
    internal readonly unsafe struct Block : IInt8Block, IQ8Activation
    {
        public static int Bytes => Q8_1Format.Bytes;
        public static bool HasMin => false;
        public static int QuantsOffset => 4;

        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Scale(byte* block) => Fp16.Read(block);
        public static float Min(byte* block) => 0;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ScaledSum(byte* block) => Fp16.Read(block + 2);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<sbyte> Quants256(byte* block) => Vector256.Load((sbyte*)(block + 4));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Quants128(byte* block, out Vector128<sbyte> lo, out Vector128<sbyte> hi)
        {
            lo = Vector128.Load((sbyte*)(block + 4));
            hi = Vector128.Load((sbyte*)(block + 20));
        }
    }
}
