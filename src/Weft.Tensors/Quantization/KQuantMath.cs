// Shared pieces of the K-quant formats (256-element super-blocks): rounding, the scale searches used by the
// weight quantizers, the 6-bit scale/min packing of Q4_K and Q5_K, and the Q8_K activation block layout.
// Every search here is written to give the same float results as the GGUF reference quantizers, operation
// for operation (float32 arithmetic in the same order), so that files we write match theirs.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Weft.Tensors.Quantization;

internal static class KQuantMath
{
    /// <summary>Elements per super-block.</summary>
    public const int QK = 256;

    /// <summary>Below this absolute maximum a group counts as all zero.</summary>
    public const float GroupMaxEps = 1e-15f;

    // Q8_K block: float d, 256 signed quants, 16 int16 sums of each group of 16 quants.
    public const int Q8D = 0;
    public const int Q8Qs = 4;
    public const int Q8Bsums = 260;
    public const int Q8Bytes = 292;

    /// <summary>
    /// Round to nearest, ties to even, by adding 1.5·2^23 and reading the mantissa. Exact for |f| ≤ 4194303;
    /// outside that range it returns the same (meaningless) value the GGUF reference code does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int NearestInt(float f)
    {
        float v = f + 12582912f;
        int i = BitConverter.SingleToInt32Bits(v);
        return (i & 0x007fffff) - 0x00400000;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Half(ReadOnlySpan<byte> src, int offset) =>
        (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(src[offset..]));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe float Half(byte* p) => (float)BitConverter.UInt16BitsToHalf(Unsafe.ReadUnaligned<ushort>(p));

    /// <summary>Writes <paramref name="value"/> rounded to float16 (nearest, ties to even).</summary>
    public static void WriteHalf(Span<byte> dst, int offset, float value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(dst[offset..], BitConverter.HalfToUInt16Bits((Half)value));

    /// <summary>Round-trips a float through float16, as storing and reloading a block scale does.</summary>
    public static float RoundToHalf(float value) => (float)(Half)value;

    /// <summary>
    /// Symmetric quantization of <paramref name="x"/> to integers in [-nmax, nmax-1], stored as L + nmax.
    /// rmseType 0 takes the plain max-based scale; otherwise the scale is refit by weighted least squares
    /// (weights x², 1, |x|, √|x| for types 1–4) and 18 nearby inverse scales are tried.
    /// </summary>
    public static float MakeQxQuants(int n, int nmax, ReadOnlySpan<float> x, Span<sbyte> L, int rmseType)
    {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++)
        {
            float ax = MathF.Abs(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
        if (amax < GroupMaxEps)
        {
            L[..n].Clear();
            return 0f;
        }
        float iscale = -nmax / max;
        if (rmseType == 0)
        {
            for (int i = 0; i < n; i++)
            {
                int l = NearestInt(iscale * x[i]);
                L[i] = (sbyte)(nmax + Math.Max(-nmax, Math.Min(nmax - 1, l)));
            }
            return 1 / iscale;
        }
        bool returnEarly = false;
        if (rmseType < 0) { rmseType = -rmseType; returnEarly = true; }
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++)
        {
            int l = NearestInt(iscale * x[i]);
            l = Math.Max(-nmax, Math.Min(nmax - 1, l));
            L[i] = (sbyte)(l + nmax);
            float w = Weight(rmseType, x[i]);
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        if (returnEarly) return suml2 > 0 ? 0.5f * (scale + 1 / iscale) : 1 / iscale;
        float best = scale * sumlx;
        for (int step = -9; step <= 9; step++)
        {
            if (step == 0) continue;
            iscale = -(nmax + 0.1f * step) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; i++)
            {
                int l = NearestInt(iscale * x[i]);
                l = Math.Max(-nmax, Math.Min(nmax - 1, l));
                float w = Weight(rmseType, x[i]);
                sumlx += w * x[i] * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2)
            {
                for (int i = 0; i < n; i++)
                {
                    int l = NearestInt(iscale * x[i]);
                    L[i] = (sbyte)(nmax + Math.Max(-nmax, Math.Min(nmax - 1, l)));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    private static float Weight(int rmseType, float x) => rmseType switch
    {
        1 => x * x,
        2 => 1,
        3 => MathF.Abs(x),
        _ => MathF.Sqrt(MathF.Abs(x)),
    };

    /// <summary>
    /// Symmetric 3-bit style quantization to [-nmax, nmax-1] (stored as L + nmax); with <paramref name="doRmse"/>
    /// the levels are refined one at a time (up to 5 passes) while the x²-weighted fit improves.
    /// </summary>
    public static float MakeQ3Quants(int n, int nmax, ReadOnlySpan<float> x, Span<sbyte> L, bool doRmse)
    {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++)
        {
            float ax = MathF.Abs(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
        if (amax < GroupMaxEps)
        {
            L[..n].Clear();
            return 0f;
        }
        float iscale = -nmax / max;
        if (doRmse)
        {
            float sumlx = 0, suml2 = 0;
            for (int i = 0; i < n; i++)
            {
                int l = NearestInt(iscale * x[i]);
                l = Math.Max(-nmax, Math.Min(nmax - 1, l));
                L[i] = (sbyte)l;
                float w = x[i] * x[i];
                sumlx += w * x[i] * l;
                suml2 += w * l * l;
            }
            for (int pass = 0; pass < 5; pass++)
            {
                int changed = 0;
                for (int i = 0; i < n; i++)
                {
                    float w = x[i] * x[i];
                    float slx = sumlx - w * x[i] * L[i];
                    if (slx > 0)
                    {
                        float sl2 = suml2 - w * L[i] * L[i];
                        int newL = NearestInt(x[i] * sl2 / slx);
                        newL = Math.Max(-nmax, Math.Min(nmax - 1, newL));
                        if (newL != L[i])
                        {
                            slx += w * x[i] * newL;
                            sl2 += w * newL * newL;
                            if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2)
                            {
                                L[i] = (sbyte)newL;
                                sumlx = slx;
                                suml2 = sl2;
                                changed++;
                            }
                        }
                    }
                }
                if (changed == 0) break;
            }
            for (int i = 0; i < n; i++) L[i] = (sbyte)(L[i] + nmax);
            return suml2 > 0f ? sumlx / suml2 : 0f;
        }
        for (int i = 0; i < n; i++)
        {
            int l = NearestInt(iscale * x[i]);
            l = Math.Max(-nmax, Math.Min(nmax - 1, l));
            L[i] = (sbyte)(l + nmax);
        }
        return 1 / iscale;
    }

    /// <summary>
    /// Asymmetric quantization x ≈ scale·L − min with L in [0, nmax]: starts from the min/max fit, then tries
    /// nstep+1 inverse scales (rmin + rdelta·k + nmax)/(max − min), refitting scale and min by weighted least
    /// squares and keeping the candidate with the lowest weighted error (absolute or squared).
    /// Returns the scale; <paramref name="theMin"/> receives −min (≥ 0).
    /// </summary>
    public static float MakeQkx2Quants(int n, int nmax, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, Span<byte> L,
        out float theMin, Span<byte> Laux, float rmin, float rdelta, int nstep, bool useMad)
    {
        float min = x[0], max = x[0];
        float sumW = weights[0];
        float sumX = sumW * x[0];
        for (int i = 1; i < n; i++)
        {
            if (x[i] < min) min = x[i];
            if (x[i] > max) max = x[i];
            float w = weights[i];
            sumW += w;
            sumX += w * x[i];
        }
        if (min > 0) min = 0;
        if (max == min)
        {
            L[..n].Clear();
            theMin = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++)
        {
            int l = NearestInt(iscale * (x[i] - min));
            L[i] = (byte)Math.Max(0, Math.Min(nmax, l));
            float diff = scale * L[i] + min - x[i];
            diff = useMad ? MathF.Abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (nstep < 1)
        {
            theMin = -min;
            return scale;
        }
        for (int step = 0; step <= nstep; step++)
        {
            iscale = (rmin + rdelta * step + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++)
            {
                int l = NearestInt(iscale * (x[i] - min));
                l = Math.Max(0, Math.Min(nmax, l));
                Laux[i] = (byte)l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[i];
            }
            float D = sumW * sumL2 - sumL * sumL;
            if (D > 0)
            {
                float thisScale = (sumW * sumXL - sumX * sumL) / D;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
                if (thisMin > 0)
                {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++)
                {
                    float diff = thisScale * Laux[i] + thisMin - x[i];
                    diff = useMad ? MathF.Abs(diff) : diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError)
                {
                    Laux[..n].CopyTo(L);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin = -min;
        return scale;
    }

    /// <summary>
    /// Scale and min of sub-block <paramref name="j"/> (0..7) from the 12-byte packing of Q4_K/Q5_K: sub-blocks 0–3
    /// keep 6 bits in bytes j (scale) and j+4 (min); sub-blocks 4–7 keep their low 4 bits in byte j+4 (scale low
    /// nibble, min high nibble) and their top 2 bits in the spare top bits of bytes j−4 (scale) and j (min).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void GetScaleMinK4(int j, ReadOnlySpan<byte> q, out int scale, out int min)
    {
        if (j < 4)
        {
            scale = q[j] & 63;
            min = q[j + 4] & 63;
        }
        else
        {
            scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
            min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
        }
    }

    /// <summary>Unpacks the 12 scale bytes of Q4_K/Q5_K into 8 scales followed by 8 mins.</summary>
    public static unsafe void UnpackScaleMinK4(byte* packed, byte* scalesThenMins)
    {
        // Same bit moves as GetScaleMinK4, done on 32-bit words: a = bytes 0..3, b = 4..7, c = 8..11.
        uint a = Unsafe.ReadUnaligned<uint>(packed);
        uint b = Unsafe.ReadUnaligned<uint>(packed + 4);
        uint c = Unsafe.ReadUnaligned<uint>(packed + 8);
        const uint Low6 = 0x3f3f3f3f, Low4 = 0x0f0f0f0f, Low2 = 0x03030303;
        uint scLo = a & Low6;
        uint scHi = (c & Low4) | (((a >> 6) & Low2) << 4);
        uint mnLo = b & Low6;
        uint mnHi = ((c >> 4) & Low4) | (((b >> 6) & Low2) << 4);
        Unsafe.WriteUnaligned(scalesThenMins, scLo);
        Unsafe.WriteUnaligned(scalesThenMins + 4, scHi);
        Unsafe.WriteUnaligned(scalesThenMins + 8, mnLo);
        Unsafe.WriteUnaligned(scalesThenMins + 12, mnHi);
    }

    /// <summary>
    /// The shared weight quantizer of Q4_K and Q5_K for one super-block: per 32-element sub-block an asymmetric
    /// fit (weights rms + |x|), 6-bit scales and mins relative to float16 super-scales, then levels recomputed
    /// against the stored scales. Writes d, dmin and the 12 scale bytes at the start of <paramref name="block"/>
    /// and the levels (0..nmax) to <paramref name="L"/>.
    /// </summary>
    public static void QuantizeScaleMinBlock(ReadOnlySpan<float> x, int nmax, float rmin, int nstep, Span<byte> block, Span<byte> L)
    {
        Span<float> scales = stackalloc float[8];
        Span<float> mins = stackalloc float[8];
        Span<float> weights = stackalloc float[32];
        Span<byte> laux = stackalloc byte[32];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++)
        {
            var xs = x.Slice(32 * j, 32);
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) sumX2 += xs[l] * xs[l];
            float avX = MathF.Sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) weights[l] = avX + MathF.Abs(xs[l]);
            scales[j] = MakeQkx2Quants(32, nmax, xs, weights, L.Slice(32 * j, 32), out mins[j], laux, rmin, 0.1f, nstep, false);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }

        var packed = block.Slice(4, 12);
        packed.Clear();
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        for (int j = 0; j < 8; j++)
        {
            // The reference stores the rounded value in a byte before clamping, so negative values wrap first.
            int ls = Math.Min(63, (int)unchecked((byte)NearestInt(invScale * scales[j])));
            int lm = Math.Min(63, (int)unchecked((byte)NearestInt(invMin * mins[j])));
            if (j < 4)
            {
                packed[j] = (byte)ls;
                packed[j + 4] = (byte)lm;
            }
            else
            {
                packed[j + 4] = (byte)((ls & 0xF) | ((lm & 0xF) << 4));
                packed[j - 4] |= (byte)((ls >> 4) << 6);
                packed[j] |= (byte)((lm >> 4) << 6);
            }
        }
        WriteHalf(block, 0, maxScale / 63f);
        WriteHalf(block, 2, maxMin / 63f);
        float d = Half(block, 0), dmin = Half(block, 2);

        for (int j = 0; j < 8; j++)
        {
            GetScaleMinK4(j, packed, out int sc, out int m);
            float dl = d * sc;
            if (dl == 0) continue;
            float dm = dmin * m;
            for (int ii = 0; ii < 32; ii++)
            {
                int l = NearestInt((x[32 * j + ii] + dm) / dl);
                L[32 * j + ii] = (byte)Math.Max(0, Math.Min(nmax, l));
            }
        }
    }

    /// <summary>
    /// The 16 signed 6-bit sub-block scales of Q3_K (already minus 32). Low nibbles: bytes 0..7 hold sub-blocks
    /// 0..7 (low half) and 8..15 (high half); the top 2 bits of sub-block j sit in byte 8 + j%4 at bit 2·(j/4).
    /// </summary>
    public static void UnpackQ3Scales(ReadOnlySpan<byte> packed, Span<sbyte> scales)
    {
        for (int j = 0; j < 16; j++)
        {
            int low = j < 8 ? packed[j] & 0xF : packed[j - 8] >> 4;
            int high = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
            scales[j] = (sbyte)((low | (high << 4)) - 32);
        }
    }

    /// <summary>Q8_K activation block accessors for the scalar references.</summary>
    public static float Q8Scale(ReadOnlySpan<byte> block) => BinaryPrimitives.ReadSingleLittleEndian(block);

    public static sbyte Q8Quant(ReadOnlySpan<byte> block, int i) => unchecked((sbyte)block[Q8Qs + i]);

    public static short Q8BlockSum(ReadOnlySpan<byte> block, int group) =>
        BinaryPrimitives.ReadInt16LittleEndian(block[(Q8Bsums + 2 * group)..]);
}
