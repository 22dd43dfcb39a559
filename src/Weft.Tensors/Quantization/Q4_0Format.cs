// Q4_0: 32 elements in 18 bytes — fp16 scale d, then 16 bytes of 4-bit quants q; x = d·(q − 8).
// Byte j holds element j in its low nibble and element j+16 in its high nibble (ggml block_q4_0).
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Weft.Tensors.Quantization;

public sealed class Q4_0Format : QuantFormat
{
    private const int Qk = 32;
    private const int Bytes = 18;

    public override GgmlType Type => GgmlType.Q4_0;
    public override GgmlType DotType => GgmlType.Q8_0;

    public override unsafe void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = Int8Blocks.BlockCount(dst.Length);
        if (!Int8Blocks.IsAccelerated) { DequantizeReference(src, dst); return; }
        fixed (byte* s = src[..(blocks * Bytes)])
        fixed (float* d = dst)
            Int8Blocks.Dequantize<Block>(s, d, blocks);
    }

    /// <summary>Weights are quantized offline: the scalar definition is the fast path.</summary>
    public override void Quantize(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeReference(src, dst);

    public override unsafe float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        int blocks = Int8Blocks.BlockCount(n);
        if (!Int8Blocks.IsAccelerated) return DotReference(weights, activations, n);
        fixed (byte* w = weights[..(blocks * Bytes)])
        fixed (byte* a = activations[..(blocks * Q8_0Format.Block.Bytes)])
            return Int8Blocks.Dot<Block, Q8_0Format.Block>(w, a, blocks);
    }

    public override unsafe void DotTile(byte* w, long wStride, int rows, byte* x, int xStride, int tokens, int n, float* y, int yStride)
    {
        if (!Int8Blocks.IsAccelerated) { base.DotTile(w, wStride, rows, x, xStride, tokens, n, y, yStride); return; }
        Int8Blocks.DotTile<Block, Q8_0Format.Block>(w, wStride, rows, x, xStride, tokens, Int8Blocks.BlockCount(n), y, yStride);
    }

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Qk; b++)
        {
            ReadOnlySpan<byte> blk = src.Slice(b * Bytes, Bytes);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(blk);
            for (int j = 0; j < Qk / 2; j++)
            {
                dst[b * Qk + j] = ((blk[2 + j] & 0x0F) - 8) * d;
                dst[b * Qk + j + Qk / 2] = ((blk[2 + j] >> 4) - 8) * d;
            }
        }
    }

    /// <summary>
    /// quantize_row_q4_0_ref: d = −max/8 where max is the first element of largest magnitude (so it maps to q = 0),
    /// q = min(15, trunc(x/d + 8.5)).
    /// </summary>
    public override void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int b = 0; b < src.Length / Qk; b++)
        {
            ReadOnlySpan<float> x = src.Slice(b * Qk, Qk);
            Span<byte> blk = dst.Slice(b * Bytes, Bytes);
            float amax = 0, max = 0;
            for (int j = 0; j < Qk; j++)
            {
                if (amax < Math.Abs(x[j])) { amax = Math.Abs(x[j]); max = x[j]; }
            }
            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f;
            BinaryPrimitives.WriteHalfLittleEndian(blk, (Half)d);
            for (int j = 0; j < Qk / 2; j++)
            {
                int q0 = Math.Min(15, (int)(x[j] * id + 8.5f));
                int q1 = Math.Min(15, (int)(x[j + Qk / 2] * id + 8.5f));
                blk[2 + j] = (byte)(q0 | (q1 << 4));
            }
        }
    }

    public override float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        const int yBytes = 34;
        float sum = 0;
        for (int b = 0; b < n / Qk; b++)
        {
            ReadOnlySpan<byte> x = weights.Slice(b * Bytes, Bytes), y = activations.Slice(b * yBytes, yBytes);
            int sumi = 0;
            for (int j = 0; j < Qk / 2; j++)
            {
                sumi += ((x[2 + j] & 0x0F) - 8) * (sbyte)y[2 + j];
                sumi += ((x[2 + j] >> 4) - 8) * (sbyte)y[2 + j + Qk / 2];
            }
            sum += sumi * (float)BinaryPrimitives.ReadHalfLittleEndian(x) * (float)BinaryPrimitives.ReadHalfLittleEndian(y);
        }
        return sum;
    }

    internal readonly unsafe struct Block : IInt8Block
    {
        public static int Bytes => Q4_0Format.Bytes;
        public static bool HasMin => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Scale(byte* block) => Fp16.Read(block);
        public static float Min(byte* block) => 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<sbyte> Quants256(byte* block)
        {
            Int8Blocks.Nibbles128(block + 2, out var lo, out var hi);
            return (Vector256.Create(lo, hi) - Vector256.Create((byte)8)).AsSByte();
        }

        public static int Offset => 8;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<byte> RawQuants256(byte* block)
        {
            Vector128<byte> raw = Vector128.Load(block + 2);
            return Vector256.Create(raw, (raw.AsUInt16() >>> 4).AsByte()) & Vector256.Create((byte)0x0F);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Quants128(byte* block, out Vector128<sbyte> lo, out Vector128<sbyte> hi)
        {
            Int8Blocks.Nibbles128(block + 2, out var l, out var h);
            lo = (l - Vector128.Create((byte)8)).AsSByte();
            hi = (h - Vector128.Create((byte)8)).AsSByte();
        }
    }
}
