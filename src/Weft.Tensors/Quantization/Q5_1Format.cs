// Q5_1: 32 elements in 24 bytes — fp16 scale d, fp16 minimum m, 32-bit word qh of fifth bits, 16 bytes of low nibbles;
// x = d·q + m. Element j's fifth bit is bit j of qh; byte j of the nibbles holds elements j and j+16 (ggml block_q5_1).
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Weft.Tensors.Quantization;

public sealed class Q5_1Format : QuantFormat
{
    private const int Qk = 32;
    private const int Bytes = 24;

    public override GgmlType Type => GgmlType.Q5_1;
    public override GgmlType DotType => GgmlType.Q8_1;

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
        fixed (byte* a = activations[..(blocks * Q8_1Format.Block.Bytes)])
            return Int8Blocks.Dot<Block, Q8_1Format.Block>(w, a, blocks);
    }

    /// <summary>The 5-bit quant of element j (0..31) of one block.</summary>
    private static int Quant(ReadOnlySpan<byte> blk, int j)
    {
        uint qh = BinaryPrimitives.ReadUInt32LittleEndian(blk[4..]);
        int low = j < Qk / 2 ? blk[8 + j] & 0x0F : blk[8 + j - Qk / 2] >> 4;
        return low | (int)(((qh >> j) & 1) << 4);
    }

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Qk; b++)
        {
            ReadOnlySpan<byte> blk = src.Slice(b * Bytes, Bytes);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(blk);
            float m = (float)BinaryPrimitives.ReadHalfLittleEndian(blk[2..]);
            for (int j = 0; j < Qk; j++) dst[b * Qk + j] = Quant(blk, j) * d + m;
        }
    }

    /// <summary>quantize_row_q5_1_ref: d = (max − min)/31, m = min, q = trunc((x − min)/d + 0.5), which never exceeds 31.</summary>
    public override void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int b = 0; b < src.Length / Qk; b++)
        {
            ReadOnlySpan<float> x = src.Slice(b * Qk, Qk);
            Span<byte> blk = dst.Slice(b * Bytes, Bytes);
            float min = float.MaxValue, max = -float.MaxValue;
            for (int j = 0; j < Qk; j++)
            {
                if (x[j] < min) min = x[j];
                if (x[j] > max) max = x[j];
            }
            float d = (max - min) / 31f;
            float id = d != 0 ? 1f / d : 0f;
            BinaryPrimitives.WriteHalfLittleEndian(blk, (Half)d);
            BinaryPrimitives.WriteHalfLittleEndian(blk[2..], (Half)min);
            uint qh = 0;
            for (int j = 0; j < Qk / 2; j++)
            {
                int q0 = (byte)(int)((x[j] - min) * id + 0.5f);
                int q1 = (byte)(int)((x[j + Qk / 2] - min) * id + 0.5f);
                blk[8 + j] = (byte)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= (uint)((q0 >> 4) & 1) << j;
                qh |= (uint)((q1 >> 4) & 1) << (j + Qk / 2);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(blk[4..], qh);
        }
    }

    /// <summary>Σ (d·q + m)·dy·qy summed as d·dy·Σq·qy + m·s, with s = dy·Σqy from the Q8_1 block.</summary>
    public override float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        const int yBytes = 36;
        float sum = 0;
        for (int b = 0; b < n / Qk; b++)
        {
            ReadOnlySpan<byte> x = weights.Slice(b * Bytes, Bytes), y = activations.Slice(b * yBytes, yBytes);
            int sumi = 0;
            for (int j = 0; j < Qk; j++) sumi += Quant(x, j) * (sbyte)y[4 + j];
            float dx = (float)BinaryPrimitives.ReadHalfLittleEndian(x), mx = (float)BinaryPrimitives.ReadHalfLittleEndian(x[2..]);
            float dy = (float)BinaryPrimitives.ReadHalfLittleEndian(y), sy = (float)BinaryPrimitives.ReadHalfLittleEndian(y[2..]);
            sum += dx * dy * sumi + mx * sy;
        }
        return sum;
    }

    internal readonly unsafe struct Block : IInt8Block
    {
        public static int Bytes => Q5_1Format.Bytes;
        public static bool HasMin => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Scale(byte* block) => Fp16.Read(block);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Min(byte* block) => Fp16.Read(block + 2);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<sbyte> Quants256(byte* block)
        {
            Int8Blocks.Nibbles128(block + 8, out var lo, out var hi);
            Vector256<byte> high = Int8Blocks.BitsToBytes256(Unsafe.ReadUnaligned<uint>(block + 4));
            return (Vector256.Create(lo, hi) | (high & Vector256.Create((byte)0x10))).AsSByte();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Quants128(byte* block, out Vector128<sbyte> lo, out Vector128<sbyte> hi)
        {
            Int8Blocks.Nibbles128(block + 8, out var l, out var h);
            Int8Blocks.BitsToBytes128(Unsafe.ReadUnaligned<uint>(block + 4), out var bl, out var bh);
            var bit = Vector128.Create((byte)0x10);
            lo = (l | (bl & bit)).AsSByte();
            hi = (h | (bh & bit)).AsSByte();
        }
    }
}
