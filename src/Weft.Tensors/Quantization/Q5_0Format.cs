// Q5_0: 32 elements in 22 bytes — fp16 scale d, 32-bit word qh of fifth bits, 16 bytes of low nibbles; x = d·(q − 16).
// Element j's fifth bit is bit j of qh; byte j of the nibbles holds element j (low) and j+16 (high) (ggml block_q5_0).
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Weft.Tensors.Quantization;

public sealed class Q5_0Format : QuantFormat
{
    private const int Qk = 32;
    private const int Bytes = 22;

    public override GgmlType Type => GgmlType.Q5_0;
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

    /// <summary>The 5-bit quant of element j (0..31) of one block.</summary>
    private static int Quant(ReadOnlySpan<byte> blk, int j)
    {
        uint qh = BinaryPrimitives.ReadUInt32LittleEndian(blk[2..]);
        int low = j < Qk / 2 ? blk[6 + j] & 0x0F : blk[6 + j - Qk / 2] >> 4;
        return low | (int)(((qh >> j) & 1) << 4);
    }

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Qk; b++)
        {
            ReadOnlySpan<byte> blk = src.Slice(b * Bytes, Bytes);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(blk);
            for (int j = 0; j < Qk; j++) dst[b * Qk + j] = (Quant(blk, j) - 16) * d;
        }
    }

    /// <summary>
    /// quantize_row_q5_0_ref: d = −max/16 where max is the first element of largest magnitude (so it maps to q = 0),
    /// q = min(31, trunc(x/d + 16.5)).
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
            float d = max / -16f;
            float id = d != 0 ? 1f / d : 0f;
            BinaryPrimitives.WriteHalfLittleEndian(blk, (Half)d);
            uint qh = 0;
            for (int j = 0; j < Qk / 2; j++)
            {
                int q0 = Math.Min(31, (int)(x[j] * id + 16.5f));
                int q1 = Math.Min(31, (int)(x[j + Qk / 2] * id + 16.5f));
                blk[6 + j] = (byte)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= (uint)(q0 >> 4) << j;
                qh |= (uint)(q1 >> 4) << (j + Qk / 2);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(blk[2..], qh);
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
            for (int j = 0; j < Qk; j++) sumi += (Quant(x, j) - 16) * (sbyte)y[2 + j];
            sum += (float)BinaryPrimitives.ReadHalfLittleEndian(x) * (float)BinaryPrimitives.ReadHalfLittleEndian(y) * sumi;
        }
        return sum;
    }

    internal readonly unsafe struct Block : IInt8Block
    {
        public static int Bytes => Q5_0Format.Bytes;
        public static bool HasMin => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Scale(byte* block) => Fp16.Read(block);
        public static float Min(byte* block) => 0;

        // q − 16 as a byte: the nibble with 0xF0 or-ed in where the fifth bit is clear (nibble − 16 in two's complement)
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<sbyte> Quants256(byte* block)
        {
            Int8Blocks.Nibbles128(block + 6, out var lo, out var hi);
            Vector256<byte> high = Int8Blocks.BitsToBytes256(Unsafe.ReadUnaligned<uint>(block + 2));
            return (Vector256.Create(lo, hi) | Vector256.AndNot(Vector256.Create((byte)0xF0), high)).AsSByte();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Quants128(byte* block, out Vector128<sbyte> lo, out Vector128<sbyte> hi)
        {
            Int8Blocks.Nibbles128(block + 6, out var l, out var h);
            Int8Blocks.BitsToBytes128(Unsafe.ReadUnaligned<uint>(block + 2), out var bl, out var bh);
            var f0 = Vector128.Create((byte)0xF0);
            lo = (l | Vector128.AndNot(f0, bl)).AsSByte();
            hi = (h | Vector128.AndNot(f0, bh)).AsSByte();
        }
    }
}
