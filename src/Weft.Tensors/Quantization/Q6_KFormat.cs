// Q6_K: 256-element super-blocks of 16 sub-blocks of 16, x = d·sc·q with q in -32..31 and int8 sc.
// Block (210 bytes): ql[128] (low 4 bits), qh[64] (high 2 bits), scales[16] (int8), half d.
// Element e = 128h + 32k + l (h half, k quarter, l < 32): low bits from ql[64h + 32·(k%2) + l], nibble k/2;
// high bits (qh[32h + l] >> 2k) & 3; q = (low | high << 4) − 32; sub-block e/16.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Weft.Tensors.Quantization.KQuantMath;

namespace Weft.Tensors.Quantization;

public sealed class Q6_KFormat : QuantFormat
{
    private const int BlockLen = 210;
    private const int OffQl = 0, OffQh = 128, OffScales = 192, OffD = 208;

    public override GgmlType Type => GgmlType.Q6_K;
    public override GgmlType DotType => GgmlType.Q8_K;

    /// <summary>The signed value of element e (-32..31).</summary>
    private static int QuantAt(ReadOnlySpan<byte> block, int e)
    {
        int h = e / 128, k = e % 128 / 32, l = e % 32;
        int low = (block[OffQl + 64 * h + 32 * (k % 2) + l] >> (4 * (k / 2))) & 0xF;
        int high = (block[OffQh + 32 * h + l] >> (2 * k)) & 3;
        return (low | (high << 4)) - 32;
    }

    private static int ScaleAt(ReadOnlySpan<byte> block, int subBlock) => unchecked((sbyte)block[OffScales + subBlock]);

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = KQuantSimd.CheckRow(dst.Length, src.Length, BlockLen);
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BlockLen, BlockLen);
            float d = Half(b, OffD);
            for (int e = 0; e < QK; e++)
            {
                float dl = d * ScaleAt(b, e / 16);
                dst[i * QK + e] = dl * QuantAt(b, e);
            }
        }
    }

    public override void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = KQuantSimd.CheckRow(src.Length, dst.Length, BlockLen);
        Span<sbyte> L = stackalloc sbyte[QK];
        Span<float> scales = stackalloc float[16];
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * QK, QK);
            var y = dst.Slice(i * BlockLen, BlockLen);
            float maxScale = 0, maxAbsScale = 0;
            for (int ib = 0; ib < 16; ib++)
            {
                float scale = MakeQxQuants(16, 32, x.Slice(16 * ib, 16), L.Slice(16 * ib, 16), 1);
                scales[ib] = scale;
                float abs = MathF.Abs(scale);
                if (abs > maxAbsScale) { maxAbsScale = abs; maxScale = scale; }
            }

            if (maxAbsScale < GroupMaxEps)
            {
                y.Clear();
                continue;
            }

            float iscale = -128f / maxScale;
            WriteHalf(y, OffD, 1 / iscale);
            for (int ib = 0; ib < 16; ib++)
                y[OffScales + ib] = unchecked((byte)(sbyte)Math.Min(127, NearestInt(iscale * scales[ib])));

            float dAll = Half(y, OffD);
            for (int j = 0; j < 16; j++)
            {
                float d = dAll * ScaleAt(y, j);
                if (d == 0) continue;
                for (int ii = 0; ii < 16; ii++)
                {
                    int l = NearestInt(x[16 * j + ii] / d);
                    l = Math.Max(-32, Math.Min(31, l));
                    L[16 * j + ii] = (sbyte)(l + 32);
                }
            }

            for (int j = 0; j < QK; j += 128)
            {
                int ql = OffQl + j / 2, qh = OffQh + j / 4;
                for (int l = 0; l < 32; l++)
                {
                    int q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF, q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
                    y[ql + l] = (byte)(q1 | (q3 << 4));
                    y[ql + l + 32] = (byte)(q2 | (q4 << 4));
                    y[qh + l] = (byte)((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
                }
            }
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
            int isum = 0;
            for (int j = 0; j < 16; j++)
            {
                int s = 0;
                for (int l = 0; l < 16; l++) s += Q8Quant(y, 16 * j + l) * QuantAt(x, 16 * j + l);
                isum += ScaleAt(x, j) * s;
            }
            sum += Half(x, OffD) * Q8Scale(y) * isum;
        }
        return sum;
    }

    public override void Quantize(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeReference(src, dst);

    /// <summary>The four 32-element quarters of one half-block as unsigned 6-bit levels (value + 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Levels(byte* block, int half, out Vector256<byte> q1, out Vector256<byte> q2, out Vector256<byte> q3, out Vector256<byte> q4)
    {
        var ql0 = Vector256.Load(block + OffQl + 64 * half);
        var ql1 = Vector256.Load(block + OffQl + 64 * half + 32);
        var qh = Vector256.Load(block + OffQh + 32 * half);
        var low4 = Vector256.Create((byte)0xF);
        var bits45 = Vector256.Create((byte)0x30);
        // 16-bit lane shifts move bits across byte boundaries only into positions the 0x30 mask clears.
        q1 = (ql0 & low4) | (Vector256.ShiftLeft(qh.AsUInt16(), 4).AsByte() & bits45);
        q2 = (ql1 & low4) | (Vector256.ShiftLeft(qh.AsUInt16(), 2).AsByte() & bits45);
        q3 = KQuantSimd.ShiftMask(ql0, 4, 0xF) | (qh & bits45);
        q4 = KQuantSimd.ShiftMask(ql1, 4, 0xF) | KQuantSimd.ShiftMask(qh, 2, 0x30);
    }

    public override unsafe void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            DequantizeReference(src, dst);
            return;
        }
        int nb = KQuantSimd.CheckRow(dst.Length, src.Length, BlockLen);
        var bias = Vector256.Create((byte)32);
        fixed (byte* s0 = src)
        fixed (float* d0 = dst)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* b = s0 + i * BlockLen;
                float* y = d0 + i * QK;
                float d = Half(b + OffD);
                sbyte* sc = (sbyte*)b + OffScales;
                for (int half = 0; half < 2; half++)
                {
                    Levels(b, half, out var q1, out var q2, out var q3, out var q4);
                    int sb = 8 * half;
                    KQuantSimd.Emit32((q1 - bias).AsSByte(), d * sc[sb], 0f, d * sc[sb + 1], 0f, y + 16 * sb);
                    KQuantSimd.Emit32((q2 - bias).AsSByte(), d * sc[sb + 2], 0f, d * sc[sb + 3], 0f, y + 16 * sb + 32);
                    KQuantSimd.Emit32((q3 - bias).AsSByte(), d * sc[sb + 4], 0f, d * sc[sb + 5], 0f, y + 16 * sb + 64);
                    KQuantSimd.Emit32((q4 - bias).AsSByte(), d * sc[sb + 6], 0f, d * sc[sb + 7], 0f, y + 16 * sb + 96);
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

    /// <summary>
    /// One weight row against four Q8_K rows. The 6-bit levels of each quarter are assembled once and met by all four
    /// activation rows before the next quarter is built (fewer live registers than <see cref="Levels"/>' four at once).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Dot1x4(byte* w, byte* a, int xStride, int nb, float* result)
    {
        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero, acc2 = Vector256<float>.Zero, acc3 = Vector256<float>.Zero;
        var low4 = Vector256.Create((byte)0xF);
        var bits45 = Vector256.Create((byte)0x30);
        byte* a0 = a, a1 = a + xStride, a2 = a + 2 * xStride, a3 = a + 3 * xStride;
        for (int i = 0; i < nb; i++, w += BlockLen, a0 += Q8Bytes, a1 += Q8Bytes, a2 += Q8Bytes, a3 += Q8Bytes)
        {
            var sc = Vector128.Load((sbyte*)w + OffScales);
            Vector256<int> s0 = Vector256<int>.Zero, s1 = Vector256<int>.Zero, s2 = Vector256<int>.Zero, s3 = Vector256<int>.Zero;
            for (int half = 0; half < 2; half++)
            {
                var ql0 = Vector256.Load(w + OffQl + 64 * half);
                var ql1 = Vector256.Load(w + OffQl + 64 * half + 32);
                var qh = Vector256.Load(w + OffQh + 32 * half);
                for (int j = 0; j < 4; j++)
                {
                    // quarter j: low nibbles of ql0/ql1 for j = 0/1, high nibbles for j = 2/3; qh bits 2j, 2j+1 as bits 4, 5
                    var ql = (j & 1) == 0 ? ql0 : ql1;
                    var low = j < 2 ? ql & low4 : KQuantSimd.ShiftMask(ql, 4, 0xF);
                    var high = j switch
                    {
                        0 => Vector256.ShiftLeft(qh.AsUInt16(), 4).AsByte() & bits45,
                        1 => Vector256.ShiftLeft(qh.AsUInt16(), 2).AsByte() & bits45,
                        2 => qh & bits45,
                        _ => KQuantSimd.ShiftMask(qh, 2, 0x30),
                    };
                    var q = low | high;
                    var scj = Avx2.ConvertToVector256Int16(Ssse3.Shuffle(sc, KQuantSimd.PairMask(4 * half + j).AsSByte()));
                    int off = Q8Qs + 128 * half + 32 * j;
                    s0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)a0 + off)), scj);
                    s1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)a1 + off)), scj);
                    s2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)a2 + off)), scj);
                    s3 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)a3 + off)), scj);
                }
            }
            // Levels were used unsigned (0..63); the −32 offset comes back through the block sums.
            var sc16 = Avx2.ConvertToVector256Int16(sc);
            float d = Fp16.Read(w + OffD);
            acc0 = Finish(acc0, s0, sc16, a0, d);
            acc1 = Finish(acc1, s1, sc16, a1, d);
            acc2 = Finish(acc2, s2, sc16, a2, d);
            acc3 = Finish(acc3, s3, sc16, a3, d);
        }
        result[0] = Vector256.Sum(acc0);
        result[1] = Vector256.Sum(acc1);
        result[2] = Vector256.Sum(acc2);
        result[3] = Vector256.Sum(acc3);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<float> Finish(Vector256<float> acc, Vector256<int> sumi, Vector256<short> sc16, byte* y, float d)
        {
            var offset = Avx2.MultiplyAddAdjacent(sc16, Vector256.Load((short*)(y + Q8Bsums)));
            sumi -= Vector256.ShiftLeft(offset, 5);
            return Vector256.MultiplyAddEstimate(Vector256.Create(d * *(float*)y), Vector256.ConvertToSingle(sumi), acc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float DotAvx2(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        int nb = KQuantSimd.CheckDot(weights, BlockLen, activations, n);
        var acc = Vector256<float>.Zero;
        fixed (byte* w0 = weights)
        fixed (byte* a0 = activations)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = w0 + i * BlockLen;
                byte* y = a0 + i * Q8Bytes;
                float d = Half(x + OffD) * *(float*)y;
                var sc = Vector128.Load((sbyte*)x + OffScales);

                // Levels are used unsigned (0..63); the −32 offset comes back through the block sums.
                var offset = Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(sc), Vector256.Load((short*)(y + Q8Bsums)));
                var sumi = Vector256<int>.Zero;
                for (int half = 0; half < 2; half++)
                {
                    Levels(x, half, out var q1, out var q2, out var q3, out var q4);
                    sbyte* q8 = (sbyte*)y + Q8Qs + 128 * half;
                    var p1 = Avx2.MultiplyAddAdjacent(q1, Vector256.Load(q8));
                    var p2 = Avx2.MultiplyAddAdjacent(q2, Vector256.Load(q8 + 32));
                    var p3 = Avx2.MultiplyAddAdjacent(q3, Vector256.Load(q8 + 64));
                    var p4 = Avx2.MultiplyAddAdjacent(q4, Vector256.Load(q8 + 96));
                    int k = 4 * half;
                    sumi += Avx2.MultiplyAddAdjacent(p1, Avx2.ConvertToVector256Int16(Ssse3.Shuffle(sc, KQuantSimd.PairMask(k).AsSByte())));
                    sumi += Avx2.MultiplyAddAdjacent(p2, Avx2.ConvertToVector256Int16(Ssse3.Shuffle(sc, KQuantSimd.PairMask(k + 1).AsSByte())));
                    sumi += Avx2.MultiplyAddAdjacent(p3, Avx2.ConvertToVector256Int16(Ssse3.Shuffle(sc, KQuantSimd.PairMask(k + 2).AsSByte())));
                    sumi += Avx2.MultiplyAddAdjacent(p4, Avx2.ConvertToVector256Int16(Ssse3.Shuffle(sc, KQuantSimd.PairMask(k + 3).AsSByte())));
                }
                sumi -= Vector256.ShiftLeft(offset, 5);
                // fused, as Dot1x4 does: a token's result must not depend on the path (batched decoding)
                acc = Vector256.MultiplyAddEstimate(Vector256.Create(d), Vector256.ConvertToSingle(sumi), acc);
            }
        }
        return Vector256.Sum(acc);
    }
}
