// The loop driver for 32-element integer block formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1) against Q8 activations.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Weft.Tensors.Quantization;

/// <summary>
/// A 32-element block whose quants decode to bytes: value j = d·q[j] with q signed, or d·q[j] + m with q
/// unsigned (<see cref="HasMin"/>). Implementations are structs, so the driver is compiled once per format.
/// </summary>
internal unsafe interface IInt8Block
{
    static abstract int Bytes { get; }

    /// <summary>True for the "_1" formats: quants are unsigned (0..31) and the block carries a minimum.</summary>
    static abstract bool HasMin { get; }

    static abstract float Scale(byte* block);

    static abstract float Min(byte* block);

    /// <summary>The 32 quants, element j in byte j. Called only where Avx2 is supported.</summary>
    static abstract Vector256<sbyte> Quants256(byte* block);

    /// <summary>Elements 0..15 and 16..31. Called only where Ssse3 is supported.</summary>
    static abstract void Quants128(byte* block, out Vector128<sbyte> lo, out Vector128<sbyte> hi);

    /// <summary>
    /// For formats whose stored quants are unsigned with an implied offset (Q4_0: q − 8): the offset, else 0.
    /// With an offset, <see cref="RawQuants256"/> gives the stored quants, which meet the activations in the
    /// unsigned-by-signed multiply directly; the offset times the activation sum is subtracted once per block.
    /// </summary>
    static virtual int Offset => 0;

    /// <summary>The 32 stored quants before the offset (unsigned, below 2·<see cref="Offset"/>). Avx2 only.</summary>
    static virtual Vector256<byte> RawQuants256(byte* block) => throw new NotSupportedException("format without an offset");
}

/// <summary>An activation block of 32 signed bytes with a scale (Q8_0, Q8_1).</summary>
internal unsafe interface IQ8Activation
{
    static abstract int Bytes { get; }

    static abstract int QuantsOffset { get; }

    static abstract float Scale(byte* block);

    /// <summary>d·Σq of the block (Q8_1's <c>s</c>); asked only by weights with a minimum.</summary>
    static abstract float ScaledSum(byte* block);
}

/// <summary>
/// Owns loops, vector widths and dispatch for the integer block formats. x86 only (Avx2, else Ssse3); elsewhere
/// the formats fall back to their scalar references.
/// </summary>
internal static unsafe class Int8Blocks
{
    public static bool IsAccelerated => Ssse3.IsSupported;

    /// <summary>Blocks in a row of <paramref name="n"/> elements; every format driven here has 32-element blocks.</summary>
    public static int BlockCount(int n) =>
        n % 32 == 0 ? n / 32 : throw new ArgumentException($"row of {n} elements is not a whole number of 32-element blocks", nameof(n));

    public static void Dequantize<TW>(byte* src, float* dst, int blocks) where TW : struct, IInt8Block
    {
        for (int b = 0; b < blocks; b++, src += TW.Bytes, dst += 32)
        {
            float d = TW.Scale(src), m = TW.HasMin ? TW.Min(src) : 0f;
            if (Avx2.IsSupported)
            {
                Dequantize32<TW>(TW.Quants256(src), d, m, dst);
            }
            else
            {
                TW.Quants128(src, out var lo, out var hi);
                Dequantize16<TW>(lo, d, m, dst);
                Dequantize16<TW>(hi, d, m, dst + 16);
            }
        }
    }

    // value = q·d (+ m): the product rounded, then the sum rounded, never fused, as the references compute it

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dequantize32<TW>(Vector256<sbyte> q, float d, float m, float* dst) where TW : struct, IInt8Block
    {
        Vector256<int> i0, i1, i2, i3;
        if (TW.HasMin)
        {
            var (s0, s1) = Vector256.Widen(q.AsByte());
            (i0, i1) = (Vector256.WidenLower(s0).AsInt32(), Vector256.WidenUpper(s0).AsInt32());
            (i2, i3) = (Vector256.WidenLower(s1).AsInt32(), Vector256.WidenUpper(s1).AsInt32());
        }
        else
        {
            var (s0, s1) = Vector256.Widen(q);
            (i0, i1) = Vector256.Widen(s0);
            (i2, i3) = Vector256.Widen(s1);
        }
        var vd = Vector256.Create(d);
        Vector256<float> f0 = Vector256.ConvertToSingle(i0) * vd, f1 = Vector256.ConvertToSingle(i1) * vd;
        Vector256<float> f2 = Vector256.ConvertToSingle(i2) * vd, f3 = Vector256.ConvertToSingle(i3) * vd;
        if (TW.HasMin)
        {
            var vm = Vector256.Create(m);
            (f0, f1, f2, f3) = (f0 + vm, f1 + vm, f2 + vm, f3 + vm);
        }
        f0.Store(dst);
        f1.Store(dst + 8);
        f2.Store(dst + 16);
        f3.Store(dst + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dequantize16<TW>(Vector128<sbyte> q, float d, float m, float* dst) where TW : struct, IInt8Block
    {
        Vector128<int> i0, i1, i2, i3;
        if (TW.HasMin)
        {
            var (s0, s1) = Vector128.Widen(q.AsByte());
            (i0, i1) = (Vector128.WidenLower(s0).AsInt32(), Vector128.WidenUpper(s0).AsInt32());
            (i2, i3) = (Vector128.WidenLower(s1).AsInt32(), Vector128.WidenUpper(s1).AsInt32());
        }
        else
        {
            var (s0, s1) = Vector128.Widen(q);
            (i0, i1) = Vector128.Widen(s0);
            (i2, i3) = Vector128.Widen(s1);
        }
        var vd = Vector128.Create(d);
        Vector128<float> f0 = Vector128.ConvertToSingle(i0) * vd, f1 = Vector128.ConvertToSingle(i1) * vd;
        Vector128<float> f2 = Vector128.ConvertToSingle(i2) * vd, f3 = Vector128.ConvertToSingle(i3) * vd;
        if (TW.HasMin)
        {
            var vm = Vector128.Create(m);
            (f0, f1, f2, f3) = (f0 + vm, f1 + vm, f2 + vm, f3 + vm);
        }
        f0.Store(dst);
        f1.Store(dst + 4);
        f2.Store(dst + 8);
        f3.Store(dst + 12);
    }

    /// <summary>
    /// Σ over blocks of d_w·d_a·Σ q_w·q_a (+ m_w·s_a for formats with a minimum). The integer products are summed
    /// exactly in 32-bit lanes per block; only the per-block scaling is in float.
    /// </summary>
    public static float Dot<TW, TA>(byte* w, byte* a, int blocks) where TW : struct, IInt8Block where TA : struct, IQ8Activation
    {
        float minSum = 0;
        if (Avx2.IsSupported)
        {
            Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero, minAcc = Vector256<float>.Zero;
            float* scales = stackalloc float[8];
            int b = 0;
            // eight blocks per step: their fp16 scales are decoded together, then the blocks go two by two into two
            // accumulators, so consecutive FMAs do not wait on each other
            for (; b + 8 <= blocks; b += 8)
            {
                (Halves8(w, TW.Bytes) * Halves8(a, TA.Bytes)).Store(scales);
                if (TW.HasMin) minAcc += Halves8(w + 2, TW.Bytes) * Halves8(a + 2, TA.Bytes);
                for (int k = 0; k < 8; k += 2, w += 2 * TW.Bytes, a += 2 * TA.Bytes)
                {
                    acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum256<TW, TA>(w, a)),
                        Vector256.Create(scales[k]), acc0);
                    acc1 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum256<TW, TA>(w + TW.Bytes, a + TA.Bytes)),
                        Vector256.Create(scales[k + 1]), acc1);
                }
            }
            for (; b < blocks; b++, w += TW.Bytes, a += TA.Bytes)
            {
                acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum256<TW, TA>(w, a)),
                    Vector256.Create(TW.Scale(w) * TA.Scale(a)), acc0);
                if (TW.HasMin) minSum += TW.Min(w) * TA.ScaledSum(a);
            }
            return Vector256.Sum(acc0 + acc1) + (Vector256.Sum(minAcc) + minSum);
        }

        Vector128<float> acc = Vector128<float>.Zero;
        for (int b = 0; b < blocks; b++, w += TW.Bytes, a += TA.Bytes)
        {
            TW.Quants128(w, out var xlo, out var xhi);
            sbyte* y = (sbyte*)(a + TA.QuantsOffset);
            Vector128<int> p = PairSums128<TW>(xlo, Vector128.Load(y)) + PairSums128<TW>(xhi, Vector128.Load(y + 16));
            acc = Vector128.MultiplyAddEstimate(Vector128.ConvertToSingle(p), Vector128.Create(TW.Scale(w) * TA.Scale(a)), acc);
            if (TW.HasMin) minSum += TW.Min(w) * TA.ScaledSum(a);
        }
        return Vector128.Sum(acc) + minSum;
    }

    /// <summary>
    /// The tile driver: <c>y[t·yStride + r]</c> = <see cref="Dot{TW,TA}"/>(row r, activation t). Tokens go four at a time
    /// through <see cref="Dot1x4{TW,TA}"/> (each weight block decoded once for four activation rows), the rest one by one.
    /// </summary>
    public static void DotTile<TW, TA>(byte* w, long wStride, int rows, byte* x, int xStride, int tokens, int blocks, float* y, int yStride)
        where TW : struct, IInt8Block where TA : struct, IQ8Activation
    {
        int t = 0;
        if (Avx2.IsSupported && !TW.HasMin && blocks <= MaxDecodeBlocks && tokens >= 4)
        {
            // [4 tokens][blocks] each: activation scales and −offset·Σq, decoded once per group of four tokens
            float* xs = stackalloc float[4 * blocks];
            float* xsum = stackalloc float[4 * blocks];
            float* xs112 = stackalloc float[blocks];
            for (; t + 4 <= tokens; t += 4)
            {
                byte* xt = x + (long)t * xStride;
                for (int k = 0; k < 4; k++) ActivationBlocks<TW, TA>(xt + (long)k * xStride, blocks, xs + k * blocks, xsum + k * blocks, 1f);
                int r = 0;
                for (; r + 2 <= rows; r += 2) Dot2x4<TW, TA>(w + r * wStride, wStride, xt, xStride, blocks, xs, xsum, y + (long)t * yStride + r, yStride);
                if (r < rows)
                {
                    // the odd row: the decoding kernel's single-row path, token by token (its scales are d_a·2^112)
                    for (int k = 0; k < 4; k++)
                    {
                        for (int i = 0; i < blocks; i++) xs112[i] = xs[k * blocks + i] * HalfRebias;
                        y[(long)(t + k) * yStride + r] = DotRow<TW, TA>(w + r * wStride, xt + (long)k * xStride, blocks, xs112, xsum + k * blocks);
                    }
                }
            }
        }
        if (Avx2.IsSupported && !TW.HasMin)
        {
            float* out4 = stackalloc float[4];
            for (; t + 4 <= tokens; t += 4)
            {
                byte* xt = x + (long)t * xStride;
                for (int r = 0; r < rows; r++)
                {
                    Dot1x4<TW, TA>(w + r * wStride, xt, xStride, blocks, out4);
                    float* yr = y + (long)t * yStride + r;
                    yr[0] = out4[0];
                    yr[yStride] = out4[1];
                    yr[2 * yStride] = out4[2];
                    yr[3 * yStride] = out4[3];
                }
            }
        }
        for (; t < tokens; t++)
        {
            byte* xt = x + (long)t * xStride;
            float* yt = y + (long)t * yStride;
            int r = 0;
            if (Avx2.IsSupported && !TW.HasMin && blocks <= MaxDecodeBlocks)
            {
                DotRows<TW, TA>(w, wStride, rows, xt, blocks, yt);
                r = rows;
            }
            else if (Avx2.IsSupported && !TW.HasMin)
            {
                for (; r + 2 <= rows; r += 2)
                    Dot2x1<TW, TA>(w + r * wStride, w + (r + 1) * wStride, xt, blocks, yt + r);
            }
            for (; r < rows; r++) yt[r] = Dot<TW, TA>(w + r * wStride, xt, blocks);
        }
    }

    /// <summary>Most blocks in a row that <see cref="DotRows{TW,TA}"/> keeps per-block activation data for on the stack.</summary>
    private const int MaxDecodeBlocks = 1024;

    /// <summary>2^112: a half's exponent and mantissa bits moved into a float's place give the half's value times 2^-112.</summary>
    internal const float HalfRebias = 5.192296858534828e33f;

    /// <summary>
    /// Decoding: <c>y[r]</c> = <see cref="Dot{TW,TA}"/>(row r, activation row) for r &lt; rows, four weight rows at a time
    /// against one activation row. The activation's block scales (times 2^112, see <see cref="ScaledHalves"/>) and, for
    /// offset formats, its block sums are decoded once per call; per eight blocks each row's fp16 scales are converted
    /// together and multiplied by them; per block each activation load serves four rows and four independent FMA chains.
    /// Avx2 only, formats without a minimum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void DotRows<TW, TA>(byte* w, long wStride, int rows, byte* a, int blocks, float* y)
        where TW : struct, IInt8Block where TA : struct, IQ8Activation
    {
        float* xs = stackalloc float[blocks];    // d_a·2^112
        float* xsum = stackalloc float[blocks];  // −offset·Σq_a
        ActivationBlocks<TW, TA>(a, blocks, xs, xsum, HalfRebias);
        float* sc = stackalloc float[32]; // [row][8 blocks]: d_w·d_a
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            byte* w0 = w + r * wStride, w1 = w0 + wStride, w2 = w1 + wStride, w3 = w2 + wStride;
            Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
            Vector256<float> acc2 = Vector256<float>.Zero, acc3 = Vector256<float>.Zero;
            byte* ab = a + TA.QuantsOffset;
            int b = 0;
            for (; b + 8 <= blocks; b += 8)
            {
                Vector256<float> f = Vector256.Load(xs + b);
                Vector256<float> s0 = ScaledHalves(Halves8Bits(w0, TW.Bytes), f), s1 = ScaledHalves(Halves8Bits(w1, TW.Bytes), f);
                Vector256<float> s2 = ScaledHalves(Halves8Bits(w2, TW.Bytes), f), s3 = ScaledHalves(Halves8Bits(w3, TW.Bytes), f);
                s0.Store(sc); s1.Store(sc + 8); s2.Store(sc + 16); s3.Store(sc + 24);
                if (TW.Offset != 0)
                {
                    // the offset's share of all eight blocks at once: only the sum of the lanes matters
                    Vector256<float> c = Vector256.Load(xsum + b);
                    acc0 = Vector256.MultiplyAddEstimate(s0, c, acc0);
                    acc1 = Vector256.MultiplyAddEstimate(s1, c, acc1);
                    acc2 = Vector256.MultiplyAddEstimate(s2, c, acc2);
                    acc3 = Vector256.MultiplyAddEstimate(s3, c, acc3);
                }
                for (int k = 0; k < 8; k++, w0 += TW.Bytes, w1 += TW.Bytes, w2 += TW.Bytes, w3 += TW.Bytes, ab += TA.Bytes)
                {
                    Vector256<sbyte> q = Vector256.Load((sbyte*)ab);
                    acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum<TW>(w0, q)), Vector256.Create(sc[k]), acc0);
                    acc1 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum<TW>(w1, q)), Vector256.Create(sc[8 + k]), acc1);
                    acc2 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum<TW>(w2, q)), Vector256.Create(sc[16 + k]), acc2);
                    acc3 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum<TW>(w3, q)), Vector256.Create(sc[24 + k]), acc3);
                }
            }
            float t0 = 0, t1 = 0, t2 = 0, t3 = 0;
            for (; b < blocks; b++, w0 += TW.Bytes, w1 += TW.Bytes, w2 += TW.Bytes, w3 += TW.Bytes, ab += TA.Bytes)
            {
                Vector256<sbyte> q = Vector256.Load((sbyte*)ab);
                float da = xs[b] * (1f / HalfRebias);
                float d0 = TW.Scale(w0) * da, d1 = TW.Scale(w1) * da, d2 = TW.Scale(w2) * da, d3 = TW.Scale(w3) * da;
                acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum<TW>(w0, q)), Vector256.Create(d0), acc0);
                acc1 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum<TW>(w1, q)), Vector256.Create(d1), acc1);
                acc2 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum<TW>(w2, q)), Vector256.Create(d2), acc2);
                acc3 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum<TW>(w3, q)), Vector256.Create(d3), acc3);
                if (TW.Offset != 0) { t0 += d0 * xsum[b]; t1 += d1 * xsum[b]; t2 += d2 * xsum[b]; t3 += d3 * xsum[b]; }
            }
            y[r] = Vector256.Sum(acc0) + t0;
            y[r + 1] = Vector256.Sum(acc1) + t1;
            y[r + 2] = Vector256.Sum(acc2) + t2;
            y[r + 3] = Vector256.Sum(acc3) + t3;
        }
        for (; r < rows; r++) y[r] = DotRow<TW, TA>(w + r * wStride, a, blocks, xs, xsum);
    }

    /// <summary>
    /// One row of <see cref="DotRows{TW,TA}"/> (same <paramref name="xs"/>: d_a·2^112), with exactly its arithmetic per row:
    /// a row's result must not depend on which rows or tokens share its call (batched decoding gives each sequence
    /// the logits it gets alone), so every path here adds the same terms in the same order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float DotRow<TW, TA>(byte* w0, byte* a, int blocks, float* xs, float* xsum)
        where TW : struct, IInt8Block where TA : struct, IQ8Activation
    {
        Vector256<float> acc0 = Vector256<float>.Zero;
        byte* ab = a + TA.QuantsOffset;
        float* sc = stackalloc float[8];
        int b = 0;
        for (; b + 8 <= blocks; b += 8)
        {
            Vector256<float> s0 = ScaledHalves(Halves8Bits(w0, TW.Bytes), Vector256.Load(xs + b));
            s0.Store(sc);
            if (TW.Offset != 0) acc0 = Vector256.MultiplyAddEstimate(s0, Vector256.Load(xsum + b), acc0);
            for (int k = 0; k < 8; k++, w0 += TW.Bytes, ab += TA.Bytes)
                acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum<TW>(w0, Vector256.Load((sbyte*)ab))), Vector256.Create(sc[k]), acc0);
        }
        float t0 = 0;
        for (; b < blocks; b++, w0 += TW.Bytes, ab += TA.Bytes)
        {
            float d0 = TW.Scale(w0) * (xs[b] * (1f / HalfRebias));
            acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(BlockSum<TW>(w0, Vector256.Load((sbyte*)ab))),
                Vector256.Create(d0), acc0);
            if (TW.Offset != 0) t0 += d0 * xsum[b];
        }
        return Vector256.Sum(acc0) + t0;
    }

    /// <summary>Per block of an activation row: its scale times <paramref name="factor"/>, and for offset formats −offset·Σq.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ActivationBlocks<TW, TA>(byte* a, int blocks, float* xs, float* xsum, float factor)
        where TW : struct, IInt8Block where TA : struct, IQ8Activation
    {
        for (int b = 0; b < blocks; b++)
        {
            byte* ab = a + (long)b * TA.Bytes;
            xs[b] = TA.Scale(ab) * factor;
            if (TW.Offset != 0)
            {
                Vector256<int> s = Avx2.MultiplyAddAdjacent(
                    Avx2.MultiplyAddAdjacent(Vector256.Create((byte)1), Vector256.Load((sbyte*)(ab + TA.QuantsOffset))),
                    Vector256.Create((short)1));
                xsum[b] = -TW.Offset * Vector256.Sum(s);
            }
        }
    }

    /// <summary>
    /// Prompts: two weight rows (<paramref name="wStride"/> bytes apart) × four activation rows (<paramref name="xStride"/>
    /// apart), eight accumulators. Each weight block is decoded once for four tokens and each activation block loaded
    /// once for two rows; the activation scales and offset sums come decoded (<paramref name="xs"/>, <paramref name="xsum"/>:
    /// [4][blocks]), the weight scales are converted eight blocks at a time. Writes y[t·yStride + r].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void Dot2x4<TW, TA>(byte* w, long wStride, byte* a, int xStride, int blocks, float* xs, float* xsum, float* y, int yStride)
        where TW : struct, IInt8Block where TA : struct, IQ8Activation
    {
        byte* w0 = w, w1 = w + wStride;
        byte* a0 = a + TA.QuantsOffset, a1 = a0 + xStride, a2 = a1 + xStride, a3 = a2 + xStride;
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        float* sc = stackalloc float[64]; // [row][token][8 blocks]: d_w·d_a
        var rebias = Vector256.Create(HalfRebias);
        int b = 0;
        for (; b + 8 <= blocks; b += 8)
        {
            Vector256<float> d0 = ScaledHalves(Halves8Bits(w0, TW.Bytes), rebias), d1 = ScaledHalves(Halves8Bits(w1, TW.Bytes), rebias);
            Vector256<float> s00 = d0 * Vector256.Load(xs + b), s10 = d1 * Vector256.Load(xs + b);
            Vector256<float> s01 = d0 * Vector256.Load(xs + blocks + b), s11 = d1 * Vector256.Load(xs + blocks + b);
            Vector256<float> s02 = d0 * Vector256.Load(xs + 2 * blocks + b), s12 = d1 * Vector256.Load(xs + 2 * blocks + b);
            Vector256<float> s03 = d0 * Vector256.Load(xs + 3 * blocks + b), s13 = d1 * Vector256.Load(xs + 3 * blocks + b);
            s00.Store(sc); s01.Store(sc + 8); s02.Store(sc + 16); s03.Store(sc + 24);
            s10.Store(sc + 32); s11.Store(sc + 40); s12.Store(sc + 48); s13.Store(sc + 56);
            if (TW.Offset != 0)
            {
                // the offset's share of the eight blocks, into lane sums as in DotRows
                Vector256<float> c = Vector256.Load(xsum + b);
                c00 = Vector256.MultiplyAddEstimate(s00, c, c00); c10 = Vector256.MultiplyAddEstimate(s10, c, c10);
                c = Vector256.Load(xsum + blocks + b);
                c01 = Vector256.MultiplyAddEstimate(s01, c, c01); c11 = Vector256.MultiplyAddEstimate(s11, c, c11);
                c = Vector256.Load(xsum + 2 * blocks + b);
                c02 = Vector256.MultiplyAddEstimate(s02, c, c02); c12 = Vector256.MultiplyAddEstimate(s12, c, c12);
                c = Vector256.Load(xsum + 3 * blocks + b);
                c03 = Vector256.MultiplyAddEstimate(s03, c, c03); c13 = Vector256.MultiplyAddEstimate(s13, c, c13);
            }
            for (int k = 0; k < 8; k++, w0 += TW.Bytes, w1 += TW.Bytes, a0 += TA.Bytes, a1 += TA.Bytes, a2 += TA.Bytes, a3 += TA.Bytes)
            {
                BlockPair<TW>(w0, w1, out var u0, out var q0, out var u1, out var q1);
                Vector256<sbyte> y0 = Vector256.Load((sbyte*)a0);
                c00 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u0, q0, y0)), Vector256.Create(sc[k]), c00);
                c10 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u1, q1, y0)), Vector256.Create(sc[32 + k]), c10);
                Vector256<sbyte> y1 = Vector256.Load((sbyte*)a1);
                c01 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u0, q0, y1)), Vector256.Create(sc[8 + k]), c01);
                c11 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u1, q1, y1)), Vector256.Create(sc[40 + k]), c11);
                Vector256<sbyte> y2 = Vector256.Load((sbyte*)a2);
                c02 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u0, q0, y2)), Vector256.Create(sc[16 + k]), c02);
                c12 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u1, q1, y2)), Vector256.Create(sc[48 + k]), c12);
                Vector256<sbyte> y3 = Vector256.Load((sbyte*)a3);
                c03 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u0, q0, y3)), Vector256.Create(sc[24 + k]), c03);
                c13 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u1, q1, y3)), Vector256.Create(sc[56 + k]), c13);
            }
        }
        // the remaining blocks one by one, as DotRows takes them
        float* tail = stackalloc float[8]; // [row][token]: the offset's share
        new Span<float>(tail, 8).Clear();
        for (; b < blocks; b++, w0 += TW.Bytes, w1 += TW.Bytes, a0 += TA.Bytes, a1 += TA.Bytes, a2 += TA.Bytes, a3 += TA.Bytes)
        {
            BlockPair<TW>(w0, w1, out var u0, out var q0, out var u1, out var q1);
            float dw0 = TW.Scale(w0), dw1 = TW.Scale(w1);
            float s00 = dw0 * xs[b], s01 = dw0 * xs[blocks + b], s02 = dw0 * xs[2 * blocks + b], s03 = dw0 * xs[3 * blocks + b];
            float s10 = dw1 * xs[b], s11 = dw1 * xs[blocks + b], s12 = dw1 * xs[2 * blocks + b], s13 = dw1 * xs[3 * blocks + b];
            Vector256<sbyte> y0 = Vector256.Load((sbyte*)a0), y1 = Vector256.Load((sbyte*)a1);
            Vector256<sbyte> y2 = Vector256.Load((sbyte*)a2), y3 = Vector256.Load((sbyte*)a3);
            c00 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u0, q0, y0)), Vector256.Create(s00), c00);
            c10 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u1, q1, y0)), Vector256.Create(s10), c10);
            c01 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u0, q0, y1)), Vector256.Create(s01), c01);
            c11 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u1, q1, y1)), Vector256.Create(s11), c11);
            c02 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u0, q0, y2)), Vector256.Create(s02), c02);
            c12 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u1, q1, y2)), Vector256.Create(s12), c12);
            c03 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u0, q0, y3)), Vector256.Create(s03), c03);
            c13 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(PairDot<TW>(u1, q1, y3)), Vector256.Create(s13), c13);
            if (TW.Offset != 0)
            {
                tail[0] += s00 * xsum[b]; tail[1] += s01 * xsum[blocks + b]; tail[2] += s02 * xsum[2 * blocks + b]; tail[3] += s03 * xsum[3 * blocks + b];
                tail[4] += s10 * xsum[b]; tail[5] += s11 * xsum[blocks + b]; tail[6] += s12 * xsum[2 * blocks + b]; tail[7] += s13 * xsum[3 * blocks + b];
            }
        }
        y[0] = Vector256.Sum(c00) + tail[0];
        y[1] = Vector256.Sum(c10) + tail[4];
        y[yStride] = Vector256.Sum(c01) + tail[1];
        y[yStride + 1] = Vector256.Sum(c11) + tail[5];
        y[2 * yStride] = Vector256.Sum(c02) + tail[2];
        y[2 * yStride + 1] = Vector256.Sum(c12) + tail[6];
        y[3 * yStride] = Vector256.Sum(c03) + tail[3];
        y[3 * yStride + 1] = Vector256.Sum(c13) + tail[7];
    }

    /// <summary>
    /// The quants of two weight blocks ready for <see cref="PairDot{TW}"/>: for offset formats the stored (unsigned)
    /// quants in <paramref name="u0"/>/<paramref name="u1"/>; otherwise |q| there and q itself, whose sign goes to the activations.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BlockPair<TW>(byte* w0, byte* w1, out Vector256<byte> u0, out Vector256<sbyte> q0, out Vector256<byte> u1, out Vector256<sbyte> q1)
        where TW : struct, IInt8Block
    {
        if (TW.Offset != 0)
        {
            u0 = TW.RawQuants256(w0); u1 = TW.RawQuants256(w1);
            q0 = default; q1 = default;
        }
        else
        {
            q0 = TW.Quants256(w0); q1 = TW.Quants256(w1);
            u0 = Avx2.Abs(q0); u1 = Avx2.Abs(q1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> PairDot<TW>(Vector256<byte> u, Vector256<sbyte> q, Vector256<sbyte> a) where TW : struct, IInt8Block =>
        TW.Offset != 0 ? UnsignedBySigned(u, a) : UnsignedBySigned(u, Avx2.Sign(a, q));

    /// <summary>
    /// Σ q_w·q_a of one block as 8 partial sums, q_w before its offset for offset formats (the caller subtracts
    /// offset·Σq_a), else with the sign trick of <see cref="BlockSum256"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> BlockSum<TW>(byte* w, Vector256<sbyte> a) where TW : struct, IInt8Block
    {
        if (TW.Offset != 0) return UnsignedBySigned(TW.RawQuants256(w), a);
        Vector256<sbyte> q = TW.Quants256(w);
        return UnsignedBySigned(Avx2.Abs(q), Avx2.Sign(a, q));
    }

    /// <summary>The fp16 fields at <paramref name="p"/> and the 7 places <paramref name="stride"/> bytes apart, one per 32-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Halves8Bits(byte* p, int stride) => Vector256.Create(
        (int)*(ushort*)p, *(ushort*)(p + stride), *(ushort*)(p + 2 * stride), *(ushort*)(p + 3 * stride),
        *(ushort*)(p + 4 * stride), *(ushort*)(p + 5 * stride), *(ushort*)(p + 6 * stride), *(ushort*)(p + 7 * stride));

    /// <summary>
    /// fp16 patterns (low 16 bits of each lane) times <paramref name="f112"/>·2^-112, rounded once: the exponent and
    /// mantissa bits moved into a float's place are the half's value times 2^-112 exactly (subnormal halves become
    /// subnormal floats), so with f112 = f·2^112 (exact: |f| ≤ 65504 cannot overflow) the product is fl(half·f).
    /// Infinities and NaNs get a float exponent of all ones, so they stay infinite or NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ScaledHalves(Vector256<int> h, Vector256<float> f112)
    {
        Vector256<int> em = h & Vector256.Create(0x7FFF);
        Vector256<int> bits = (em << 13) | (Vector256.GreaterThan(em, Vector256.Create(0x7BFF)) & Vector256.Create(0x7F800000))
                              | ((h & Vector256.Create(0x8000)) << 16);
        return bits.AsSingle() * f112;
    }

    /// <summary>
    /// Two weight rows against one activation row (decoding): each activation block and its scale are loaded once
    /// for both rows, and the two rows make two independent FMA chains. Writes result[0] and result[1].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot2x1<TW, TA>(byte* w0, byte* w1, byte* a, int blocks, float* result)
        where TW : struct, IInt8Block where TA : struct, IQ8Activation
    {
        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
        float* scales = stackalloc float[16]; // [row][8 blocks]: d_w·d_a
        int b = 0;
        for (; b + 8 <= blocks; b += 8)
        {
            Vector256<float> da = Halves8(a, TA.Bytes);
            (Halves8(w0, TW.Bytes) * da).Store(scales);
            (Halves8(w1, TW.Bytes) * da).Store(scales + 8);
            for (int k = 0; k < 8; k++, w0 += TW.Bytes, w1 += TW.Bytes, a += TA.Bytes)
            {
                Vector256<sbyte> y = Vector256.Load((sbyte*)(a + TA.QuantsOffset));
                Vector256<sbyte> q0 = TW.Quants256(w0), q1 = TW.Quants256(w1);
                acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(UnsignedBySigned(Avx2.Abs(q0), Avx2.Sign(y, q0))),
                    Vector256.Create(scales[k]), acc0);
                acc1 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(UnsignedBySigned(Avx2.Abs(q1), Avx2.Sign(y, q1))),
                    Vector256.Create(scales[8 + k]), acc1);
            }
        }
        for (; b < blocks; b++, w0 += TW.Bytes, w1 += TW.Bytes, a += TA.Bytes)
        {
            Vector256<sbyte> y = Vector256.Load((sbyte*)(a + TA.QuantsOffset));
            Vector256<sbyte> q0 = TW.Quants256(w0), q1 = TW.Quants256(w1);
            float da = TA.Scale(a);
            acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(UnsignedBySigned(Avx2.Abs(q0), Avx2.Sign(y, q0))),
                Vector256.Create(TW.Scale(w0) * da), acc0);
            acc1 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(UnsignedBySigned(Avx2.Abs(q1), Avx2.Sign(y, q1))),
                Vector256.Create(TW.Scale(w1) * da), acc1);
        }
        result[0] = Vector256.Sum(acc0);
        result[1] = Vector256.Sum(acc1);
    }

    /// <summary>
    /// One weight row against four activation rows <paramref name="xStride"/> bytes apart: the weight quants are loaded
    /// and made unsigned once per block, and each activation block meets them with the sign trick of <see cref="BlockSum256"/>.
    /// Avx2 only, formats without a minimum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot1x4<TW, TA>(byte* w, byte* a, int xStride, int blocks, float* result)
        where TW : struct, IInt8Block where TA : struct, IQ8Activation
    {
        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero, acc2 = Vector256<float>.Zero, acc3 = Vector256<float>.Zero;
        byte* a0 = a, a1 = a + xStride, a2 = a + 2 * xStride, a3 = a + 3 * xStride;
        float* scales = stackalloc float[32]; // [token][8 blocks]: d_w·d_a
        int b = 0;
        for (; b + 8 <= blocks; b += 8)
        {
            Vector256<float> dw = Halves8(w, TW.Bytes);
            (dw * Halves8(a0, TA.Bytes)).Store(scales);
            (dw * Halves8(a1, TA.Bytes)).Store(scales + 8);
            (dw * Halves8(a2, TA.Bytes)).Store(scales + 16);
            (dw * Halves8(a3, TA.Bytes)).Store(scales + 24);
            for (int k = 0; k < 8; k++, w += TW.Bytes, a0 += TA.Bytes, a1 += TA.Bytes, a2 += TA.Bytes, a3 += TA.Bytes)
            {
                Vector256<sbyte> q = TW.Quants256(w);
                Vector256<byte> qa = Avx2.Abs(q);
                acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(SignedPairs<TA>(qa, q, a0)), Vector256.Create(scales[k]), acc0);
                acc1 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(SignedPairs<TA>(qa, q, a1)), Vector256.Create(scales[8 + k]), acc1);
                acc2 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(SignedPairs<TA>(qa, q, a2)), Vector256.Create(scales[16 + k]), acc2);
                acc3 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(SignedPairs<TA>(qa, q, a3)), Vector256.Create(scales[24 + k]), acc3);
            }
        }
        for (; b < blocks; b++, w += TW.Bytes, a0 += TA.Bytes, a1 += TA.Bytes, a2 += TA.Bytes, a3 += TA.Bytes)
        {
            Vector256<sbyte> q = TW.Quants256(w);
            Vector256<byte> qa = Avx2.Abs(q);
            float dw = TW.Scale(w);
            acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(SignedPairs<TA>(qa, q, a0)), Vector256.Create(dw * TA.Scale(a0)), acc0);
            acc1 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(SignedPairs<TA>(qa, q, a1)), Vector256.Create(dw * TA.Scale(a1)), acc1);
            acc2 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(SignedPairs<TA>(qa, q, a2)), Vector256.Create(dw * TA.Scale(a2)), acc2);
            acc3 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(SignedPairs<TA>(qa, q, a3)), Vector256.Create(dw * TA.Scale(a3)), acc3);
        }
        result[0] = Vector256.Sum(acc0);
        result[1] = Vector256.Sum(acc1);
        result[2] = Vector256.Sum(acc2);
        result[3] = Vector256.Sum(acc3);
    }

    /// <summary>Σ q_w·q_a of one block as 8 partial sums, given |q_w| and q_w (the sign trick of <see cref="BlockSum256"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> SignedPairs<TA>(Vector256<byte> qAbs, Vector256<sbyte> q, byte* a) where TA : struct, IQ8Activation =>
        UnsignedBySigned(qAbs, Avx2.Sign(Vector256.Load((sbyte*)(a + TA.QuantsOffset)), q));

    /// <summary>The fp16 fields at <paramref name="p"/> and the 7 places <paramref name="stride"/> bytes apart, as floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Halves8(byte* p, int stride) => Fp16.ToSingle(Vector256.Create(
        *(ushort*)p, *(ushort*)(p + stride), *(ushort*)(p + 2 * stride), *(ushort*)(p + 3 * stride),
        *(ushort*)(p + 4 * stride), *(ushort*)(p + 5 * stride), *(ushort*)(p + 6 * stride), *(ushort*)(p + 7 * stride)));

    /// <summary>Σ q_w·q_a of one block, as 8 partial sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> BlockSum256<TW, TA>(byte* w, byte* a) where TW : struct, IInt8Block where TA : struct, IQ8Activation
    {
        Vector256<sbyte> x = TW.Quants256(w);
        Vector256<sbyte> y = Vector256.Load((sbyte*)(a + TA.QuantsOffset));
        if (TW.HasMin) return UnsignedBySigned(x.AsByte(), y);
        // x·y = |x|·(y with x's sign), which fits the unsigned-by-signed multiply
        return UnsignedBySigned(Avx2.Abs(x), Avx2.Sign(y, x));
    }

    /// <summary>Sums of four adjacent u8·s8 products in each 32-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> UnsignedBySigned(Vector256<byte> u, Vector256<sbyte> s)
    {
        if (AvxVnni.IsSupported) return AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, u, s);
        // pairs of products fit 16 bits for quants of at most 5 bits; for Q8_0·Q8_0, 2·127·127 < 32767 as well
        return Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s), Vector256.Create((short)1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> PairSums128<TW>(Vector128<sbyte> x, Vector128<sbyte> y) where TW : struct, IInt8Block
    {
        Vector128<short> p = TW.HasMin
            ? Ssse3.MultiplyAddAdjacent(x.AsByte(), y)
            : Ssse3.MultiplyAddAdjacent(Ssse3.Abs(x), Ssse3.Sign(y, x));
        return Sse2.MultiplyAddAdjacent(p, Vector128.Create((short)1));
    }

    /// <summary>Nibbles of 16 bytes: low nibbles are elements 0..15, high nibbles elements 16..31 (ggml's order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Nibbles128(byte* qs, out Vector128<byte> lo, out Vector128<byte> hi)
    {
        Vector128<byte> raw = Vector128.Load(qs);
        var mask = Vector128.Create((byte)0x0F);
        lo = raw & mask;
        hi = (raw.AsUInt16() >>> 4).AsByte() & mask;
    }

    /// <summary>Byte j is 0xFF where bit j of <paramref name="bits"/> is set, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> BitsToBytes256(uint bits)
    {
        // byte j takes byte j/8 of the word (vpshufb stays within 128-bit lanes, and each lane holds the whole word)
        Vector256<byte> spread = Avx2.Shuffle(Vector256.Create(bits).AsByte(), Vector256.Create(
            (byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
        // every bit but j%8 set: the byte is all ones exactly when bit j%8 was set
        return Vector256.Equals(spread | Vector256.Create(0x7FBFDFEFF7FBFDFEul).AsByte(), Vector256<byte>.AllBitsSet);
    }

    /// <summary>As <see cref="BitsToBytes256"/>, split into bits 0..15 and 16..31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BitsToBytes128(uint bits, out Vector128<byte> lo, out Vector128<byte> hi)
    {
        Vector128<byte> word = Vector128.Create(bits).AsByte();
        Vector128<byte> others = Vector128.Create(0x7FBFDFEFF7FBFDFEul).AsByte();
        lo = Vector128.Equals(Ssse3.Shuffle(word, Vector128.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1)) | others, Vector128<byte>.AllBitsSet);
        hi = Vector128.Equals(Ssse3.Shuffle(word, Vector128.Create((byte)2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3)) | others, Vector128<byte>.AllBitsSet);
    }
}
