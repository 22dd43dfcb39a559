// Q4_K: 256-element super-blocks of 8 sub-blocks of 32, x = d·sc·q − dmin·m with 4-bit q and 6-bit sc, m.
// Block (144 bytes): half d, half dmin, scales[12] (6-bit scales and mins, see KQuantMath.GetScaleMinK4), qs[128].
// Elements 64k..64k+31 are the low nibbles of qs[32k..32k+31], elements 64k+32..64k+63 the high nibbles.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Weft.Tensors.Quantization.KQuantMath;

namespace Weft.Tensors.Quantization;

public sealed class Q4_KFormat : QuantFormat
{
    private const int BlockLen = 144;
    private const int OffD = 0, OffDmin = 2, OffScales = 4, OffQs = 16;

    public override GgmlType Type => GgmlType.Q4_K;
    public override GgmlType DotType => GgmlType.Q8_K;

    private static int QuantAt(ReadOnlySpan<byte> block, int e) =>
        (block[OffQs + 32 * (e / 64) + e % 32] >> (4 * (e % 64 / 32))) & 0xF;

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = KQuantSimd.CheckRow(dst.Length, src.Length, BlockLen);
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BlockLen, BlockLen);
            float d = Half(b, OffD), dmin = Half(b, OffDmin);
            for (int e = 0; e < QK; e++)
            {
                GetScaleMinK4(e / 32, b.Slice(OffScales, 12), out int sc, out int m);
                float dl = d * sc, ml = dmin * m;
                dst[i * QK + e] = dl * QuantAt(b, e) - ml;
            }
        }
    }

    public override void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = KQuantSimd.CheckRow(src.Length, dst.Length, BlockLen);
        Span<byte> L = stackalloc byte[QK];
        for (int i = 0; i < nb; i++)
        {
            var y = dst.Slice(i * BlockLen, BlockLen);
            QuantizeScaleMinBlock(src.Slice(i * QK, QK), 15, -1f, 20, y, L);
            for (int j = 0; j < QK; j += 64)
                for (int l = 0; l < 32; l++)
                    y[OffQs + j / 2 + l] = (byte)(L[j + l] | (L[j + l + 32] << 4));
        }
    }

    public override float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        int nb = KQuantSimd.CheckDot(weights, BlockLen, activations, n);
        float sum = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weights.Slice(i * BlockLen, BlockLen);
            var y = activations.Slice(i * Q8Bytes, Q8Bytes);
            int isum = 0, sumMins = 0;
            for (int j = 0; j < 8; j++)
            {
                GetScaleMinK4(j, x.Slice(OffScales, 12), out int sc, out int m);
                sumMins += m * (Q8BlockSum(y, 2 * j) + Q8BlockSum(y, 2 * j + 1));
                int s = 0;
                for (int l = 0; l < 32; l++) s += Q8Quant(y, 32 * j + l) * QuantAt(x, 32 * j + l);
                isum += sc * s;
            }
            float yd = Q8Scale(y);
            sum += Half(x, OffD) * yd * isum - Half(x, OffDmin) * yd * sumMins;
        }
        return sum;
    }

    public override void Quantize(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeReference(src, dst);

    public override unsafe void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            DequantizeReference(src, dst);
            return;
        }
        int nb = KQuantSimd.CheckRow(dst.Length, src.Length, BlockLen);
        byte* sm = stackalloc byte[16];
        fixed (byte* s0 = src)
        fixed (float* d0 = dst)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* b = s0 + i * BlockLen;
                float* y = d0 + i * QK;
                float d = Half(b + OffD), dmin = Half(b + OffDmin);
                UnpackScaleMinK4(b + OffScales, sm);
                for (int k = 0; k < 4; k++)
                {
                    var q = Vector256.Load(b + OffQs + 32 * k);
                    float dl0 = d * sm[2 * k], ml0 = dmin * sm[8 + 2 * k];
                    float dl1 = d * sm[2 * k + 1], ml1 = dmin * sm[8 + 2 * k + 1];
                    KQuantSimd.Emit32((q & Vector256.Create((byte)0xF)).AsSByte(), dl0, ml0, dl0, ml0, y + 64 * k);
                    KQuantSimd.Emit32(KQuantSimd.ShiftMask(q, 4, 0xF).AsSByte(), dl1, ml1, dl1, ml1, y + 64 * k + 32);
                }
            }
        }
    }

    public override float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n) =>
        Avx2.IsSupported ? DotAvx2(weights, activations, n) : DotReference(weights, activations, n);

    public override unsafe void DotTile(byte* w, long wStride, int rows, byte* x, int xStride, int tokens, int n, float* y, int yStride)
    {
        if (!Avx2.IsSupported) { base.DotTile(w, wStride, rows, x, xStride, tokens, n, y, yStride); return; }
        int nb = KQuantSimd.CheckRow(n, int.MaxValue, BlockLen);
        int t = KQuantSimd.TilesOf4(w, wStride, rows, x, xStride, tokens, nb, y, yStride, &Dot1x4);
        base.DotTile(w, wStride, rows, x + (long)t * xStride, xStride, tokens - t, n, y + (long)t * yStride, yStride);
    }

    /// <summary>One weight row against four Q8_K rows: scales, mins and nibbles are unpacked once per super-block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Dot1x4(byte* w, byte* a, int xStride, int nb, float* result)
    {
        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero, acc2 = Vector256<float>.Zero, acc3 = Vector256<float>.Zero;
        var low4 = Vector256.Create((byte)0xF);
        byte* sm = stackalloc byte[16];
        byte* a0 = a, a1 = a + xStride, a2 = a + 2 * xStride, a3 = a + 3 * xStride;
        for (int i = 0; i < nb; i++, w += BlockLen, a0 += Q8Bytes, a1 += Q8Bytes, a2 += Q8Bytes, a3 += Q8Bytes)
        {
            UnpackScaleMinK4(w + OffScales, sm);
            Vector256<int> s0 = Vector256<int>.Zero, s1 = Vector256<int>.Zero, s2 = Vector256<int>.Zero, s3 = Vector256<int>.Zero;
            for (int k = 0; k < 4; k++)
            {
                var q4 = Vector256.Load(w + OffQs + 32 * k);
                var lo = q4 & low4;
                var hi = KQuantSimd.ShiftMask(q4, 4, 0xF);
                var sc0 = Vector256.Create((short)sm[2 * k]);
                var sc1 = Vector256.Create((short)sm[2 * k + 1]);
                int off = Q8Qs + 64 * k;
                s0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(lo, Vector256.Load((sbyte*)a0 + off)), sc0)
                    + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(hi, Vector256.Load((sbyte*)a0 + off + 32)), sc1);
                s1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(lo, Vector256.Load((sbyte*)a1 + off)), sc0)
                    + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(hi, Vector256.Load((sbyte*)a1 + off + 32)), sc1);
                s2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(lo, Vector256.Load((sbyte*)a2 + off)), sc0)
                    + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(hi, Vector256.Load((sbyte*)a2 + off + 32)), sc1);
                s3 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(lo, Vector256.Load((sbyte*)a3 + off)), sc0)
                    + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(hi, Vector256.Load((sbyte*)a3 + off + 32)), sc1);
            }
            // Each min covers two groups of 16 block sums; the block's total is d·yd·Σsc·q − dmin·yd·Σm·bsum.
            var mins = Avx2.ConvertToVector256Int16(Ssse3.Shuffle(Vector128.Load(sm + 8), KQuantSimd.DoubleMask));
            float d = Fp16.Read(w + OffD), dmin = -Fp16.Read(w + OffDmin);
            acc0 = Finish(acc0, s0, mins, a0, d, dmin);
            acc1 = Finish(acc1, s1, mins, a1, d, dmin);
            acc2 = Finish(acc2, s2, mins, a2, d, dmin);
            acc3 = Finish(acc3, s3, mins, a3, d, dmin);
        }
        result[0] = Vector256.Sum(acc0);
        result[1] = Vector256.Sum(acc1);
        result[2] = Vector256.Sum(acc2);
        result[3] = Vector256.Sum(acc3);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<float> Finish(Vector256<float> acc, Vector256<int> sumi, Vector256<short> mins, byte* y, float d, float negDmin)
        {
            float yd = *(float*)y;
            var sumMins = Avx2.MultiplyAddAdjacent(mins, Vector256.Load((short*)(y + Q8Bsums)));
            acc = Vector256.MultiplyAddEstimate(Vector256.Create(d * yd), Vector256.ConvertToSingle(sumi), acc);
            return Vector256.MultiplyAddEstimate(Vector256.Create(negDmin * yd), Vector256.ConvertToSingle(sumMins), acc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float DotAvx2(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        int nb = KQuantSimd.CheckDot(weights, BlockLen, activations, n);
        var acc = Vector256<float>.Zero;
        var low4 = Vector256.Create((byte)0xF);
        byte* sm = stackalloc byte[16];
        fixed (byte* w0 = weights)
        fixed (byte* a0 = activations)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = w0 + i * BlockLen;
                byte* y = a0 + i * Q8Bytes;
                float yd = *(float*)y;
                float d = Half(x + OffD) * yd, negDmin = -Half(x + OffDmin) * yd;
                UnpackScaleMinK4(x + OffScales, sm);

                // Each min covers two groups of 16 block sums.
                var mins = Ssse3.Shuffle(Vector128.Load(sm + 8), KQuantSimd.DoubleMask);
                var sumMins = Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(mins), Vector256.Load((short*)(y + Q8Bsums)));

                var sumi = Vector256<int>.Zero;
                for (int k = 0; k < 4; k++)
                {
                    var q4 = Vector256.Load(x + OffQs + 32 * k);
                    sbyte* q8 = (sbyte*)y + Q8Qs + 64 * k;
                    var p0 = Avx2.MultiplyAddAdjacent(q4 & low4, Vector256.Load(q8));
                    var p1 = Avx2.MultiplyAddAdjacent(KQuantSimd.ShiftMask(q4, 4, 0xF), Vector256.Load(q8 + 32));
                    sumi += Avx2.MultiplyAddAdjacent(p0, Vector256.Create((short)sm[2 * k]));
                    sumi += Avx2.MultiplyAddAdjacent(p1, Vector256.Create((short)sm[2 * k + 1]));
                }
                // the same fused steps in the same order as Dot1x4: a token's result must not depend on the path
                acc = Vector256.MultiplyAddEstimate(Vector256.Create(d), Vector256.ConvertToSingle(sumi), acc);
                acc = Vector256.MultiplyAddEstimate(Vector256.Create(negDmin), Vector256.ConvertToSingle(sumMins), acc);
            }
        }
        return Vector256.Sum(acc);
    }
}
