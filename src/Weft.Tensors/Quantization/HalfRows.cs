// The loop driver for 16-bit float rows (F16, BF16): decode to float and dot against float activations.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Weft.Tensors.Quantization;

/// <summary>
/// Decodes 16-bit float patterns. The vector forms take the patterns sign-extended into 32-bit lanes; the
/// <c>Normal</c> forms are exact only when <c>AllNormal</c> holds for the patterns (the common case, checked
/// once per 32/16/8 patterns), the others for every pattern.
/// </summary>
internal interface IHalfDecoder
{
    static abstract float ToSingle(ushort bits);
    static abstract Vector128<float> ToSingle(Vector128<int> bits);
    static abstract Vector256<float> ToSingle(Vector256<int> bits);
    static abstract Vector512<float> ToSingle(Vector512<int> bits);

    static abstract bool AllNormal(Vector128<ushort> bits);
    static abstract bool AllNormal(Vector256<ushort> bits);
    static abstract bool AllNormal(Vector512<ushort> bits);
    static abstract Vector128<float> ToSingleNormal(Vector128<int> bits);
    static abstract Vector256<float> ToSingleNormal(Vector256<int> bits);
    static abstract Vector512<float> ToSingleNormal(Vector512<int> bits);
}

/// <summary>Owns the loops, vector widths and tails for every 16-bit float element format.</summary>
internal static unsafe class HalfRows
{
    public static void Dequantize<T>(ushort* src, float* dst, int n) where T : struct, IHalfDecoder
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 32; i += 32)
            {
                Decode<T>(Vector512.Load(src + i), out var lo, out var hi);
                lo.Store(dst + i);
                hi.Store(dst + i + 16);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                Decode<T>(Vector256.Load(src + i), out var lo, out var hi);
                lo.Store(dst + i);
                hi.Store(dst + i + 8);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
            {
                Decode<T>(Vector128.Load(src + i), out var lo, out var hi);
                lo.Store(dst + i);
                hi.Store(dst + i + 4);
            }
        }
        for (; i < n; i++) dst[i] = T.ToSingle(src[i]);
    }

    /// <summary>Σ w[i]·x[i] with two vector accumulators (hides the FMA latency); the tail is scalar.</summary>
    public static float Dot<T>(ushort* w, float* x, int n) where T : struct, IHalfDecoder
    {
        int i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= 32)
        {
            Vector512<float> acc0 = Vector512<float>.Zero, acc1 = Vector512<float>.Zero;
            for (; i <= n - 32; i += 32)
            {
                Decode<T>(Vector512.Load(w + i), out var lo, out var hi);
                acc0 = Vector512.MultiplyAddEstimate(lo, Vector512.Load(x + i), acc0);
                acc1 = Vector512.MultiplyAddEstimate(hi, Vector512.Load(x + i + 16), acc1);
            }
            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 16)
        {
            Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                Decode<T>(Vector256.Load(w + i), out var lo, out var hi);
                acc0 = Vector256.MultiplyAddEstimate(lo, Vector256.Load(x + i), acc0);
                acc1 = Vector256.MultiplyAddEstimate(hi, Vector256.Load(x + i + 8), acc1);
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        else if (Vector128.IsHardwareAccelerated && n >= 8)
        {
            Vector128<float> acc0 = Vector128<float>.Zero, acc1 = Vector128<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                Decode<T>(Vector128.Load(w + i), out var lo, out var hi);
                acc0 = Vector128.MultiplyAddEstimate(lo, Vector128.Load(x + i), acc0);
                acc1 = Vector128.MultiplyAddEstimate(hi, Vector128.Load(x + i + 4), acc1);
            }
            sum = Vector128.Sum(acc0 + acc1);
        }
        for (; i < n; i++) sum += T.ToSingle(w[i]) * x[i];
        return sum;
    }

    /// <summary>
    /// <c>y[t·yStride + r]</c> = Σ w_r[i]·x_t[i]: tokens four at a time, each 16 weights decoded once for the four
    /// activation rows (decoding, not the FMAs, is most of the work); the rest through <see cref="Dot{T}"/>.
    /// </summary>
    public static void DotTile<T>(ushort* w, long wStride, int rows, float* x, int xStride, int tokens, int n, float* y, int yStride)
        where T : struct, IHalfDecoder
    {
        int t = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            float* out4 = stackalloc float[4];
            for (; t + 4 <= tokens; t += 4)
            {
                float* xt = x + (long)t * xStride;
                if (typeof(T) == typeof(HalfDecoder) && CanTileScaled(n) && TileScaled(w, wStride, rows, xt, xStride, n, y + (long)t * yStride, yStride)) continue;
                for (int r = 0; r < rows; r++)
                {
                    Dot1x4<T>(w + r * wStride, xt, xStride, n, out4);
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
            float* xt = x + (long)t * xStride;
            if (typeof(T) == typeof(HalfDecoder) && CanDotScaled(n) && DotRowsScaled(w, wStride, rows, xt, n, y + (long)t * yStride)) continue;
            for (int r = 0; r < rows; r++)
                y[(long)t * yStride + r] = Dot<T>(w + r * wStride, xt, n);
        }
    }

    /// <summary>Longest row <see cref="TileScaled"/> takes: four scaled activation rows on the stack, at most 128 KiB.</summary>
    private const int MaxTileScaledLength = 8192;

    private static bool CanTileScaled(int n) =>
        Avx2.IsSupported && Vector256.IsHardwareAccelerated && !Vector512.IsHardwareAccelerated && n >= 16 && n <= MaxTileScaledLength;

    /// <summary>
    /// Four tokens of <see cref="DotTile{T}"/> for IEEE half rows with <see cref="DotRowsScaled"/>'s decoding: the four
    /// activation rows copied once times 2^112, each 16 halves decoded with a shift and a mask for the four; results bit
    /// for bit those of <see cref="Dot1x4{T}"/> (and of the one-token dot). A row holding an infinity or NaN is redone
    /// by <see cref="Dot1x4{T}"/>; false, with nothing written, when an activation is 2^16 or more, infinite or NaN.
    /// </summary>
    [SkipLocalsInit]
    private static bool TileScaled(ushort* w, long wStride, int rows, float* x, int xStride, int n, float* y, int yStride)
    {
        int vectorLength = n & ~15;
        float* xs = stackalloc float[4 * vectorLength];
        for (int k = 0; k < 4; k++)
            if (!ScaleActivations(x + (long)k * xStride, vectorLength, xs + k * vectorLength)) return false;
        float* out4 = stackalloc float[4];
        for (int r = 0; r < rows; r++)
        {
            ushort* wr = w + r * wStride;
            if (!Dot1x4Scaled(wr, xs, vectorLength, x, xStride, n, out4)) Dot1x4<HalfDecoder>(wr, x, xStride, n, out4);
            float* yr = y + r;
            yr[0] = out4[0];
            yr[yStride] = out4[1];
            yr[2 * yStride] = out4[2];
            yr[3 * yStride] = out4[3];
        }
        return true;
    }

    /// <summary>x·2^112 into <paramref name="xs"/> (<paramref name="length"/> a multiple of 8); false when some |x| ≥ 2^16, or x is infinite or NaN.</summary>
    private static bool ScaleActivations(float* x, int length, float* xs)
    {
        Vector256<int> absMax = Vector256<int>.Zero;
        for (int i = 0; i < length; i += 8)
        {
            Vector256<float> v = Vector256.Load(x + i);
            absMax = Vector256.Max(absMax, v.AsInt32() & Vector256.Create(0x7FFFFFFF));
            (v * Fp16.ScaledUnit).Store(xs + i);
        }
        return !Vector256.GreaterThanOrEqualAny(absMax, Vector256.Create(Fp16.ScaledActivationLimitBits));
    }

    /// <summary>
    /// One row against four pre-scaled activation rows (<paramref name="xs"/>: [4][<paramref name="vectorLength"/>]),
    /// the arithmetic of <see cref="Dot1x4{T}"/>; the scalar tail reads the original rows. False when the row holds an
    /// infinity or NaN in its vector part.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Dot1x4Scaled(ushort* w, float* xs, int vectorLength, float* x, int xStride, int n, float* result)
    {
        float* x0 = xs, x1 = xs + vectorLength, x2 = xs + 2 * vectorLength, x3 = xs + 3 * vectorLength;
        Vector256<float> a0 = Vector256<float>.Zero, b0 = Vector256<float>.Zero, a1 = Vector256<float>.Zero, b1 = Vector256<float>.Zero;
        Vector256<float> a2 = Vector256<float>.Zero, b2 = Vector256<float>.Zero, a3 = Vector256<float>.Zero, b3 = Vector256<float>.Zero;
        Vector256<ushort> expMax = Vector256<ushort>.Zero;
        for (int i = 0; i < vectorLength; i += 16)
        {
            expMax = Vector256.Max(expMax, Vector256.Load(w + i) & Vector256.Create((ushort)0x7C00));
            Vector256<float> lo = Fp16.ToSingleScaled(Avx2.ConvertToVector256Int32((short*)(w + i)));
            Vector256<float> hi = Fp16.ToSingleScaled(Avx2.ConvertToVector256Int32((short*)(w + i + 8)));
            a0 = Vector256.MultiplyAddEstimate(lo, Vector256.Load(x0 + i), a0);
            b0 = Vector256.MultiplyAddEstimate(hi, Vector256.Load(x0 + i + 8), b0);
            a1 = Vector256.MultiplyAddEstimate(lo, Vector256.Load(x1 + i), a1);
            b1 = Vector256.MultiplyAddEstimate(hi, Vector256.Load(x1 + i + 8), b1);
            a2 = Vector256.MultiplyAddEstimate(lo, Vector256.Load(x2 + i), a2);
            b2 = Vector256.MultiplyAddEstimate(hi, Vector256.Load(x2 + i + 8), b2);
            a3 = Vector256.MultiplyAddEstimate(lo, Vector256.Load(x3 + i), a3);
            b3 = Vector256.MultiplyAddEstimate(hi, Vector256.Load(x3 + i + 8), b3);
        }
        if (Vector256.EqualsAny(expMax, Vector256.Create((ushort)0x7C00))) return false;
        Finish4<HalfDecoder>(w, x, xStride, vectorLength, n, a0 + b0, a1 + b1, a2 + b2, a3 + b3, result);
        return true;
    }

    /// <summary>
    /// Most activation elements <see cref="DotRowsScaled"/> copies to the stack (64 KiB); longer rows take
    /// <see cref="Dot{T}"/>, so decoding allocates nothing whatever the row length.
    /// </summary>
    private const int MaxScaledLength = 16384;

    /// <summary>
    /// Whether <see cref="DotRowsScaled"/> applies: it reproduces the 256-bit loop of <see cref="Dot{T}"/>, so only
    /// where that loop is the one <see cref="Dot{T}"/> takes, and only for rows with at least one 16-element step.
    /// </summary>
    private static bool CanDotScaled(int n) =>
        Avx2.IsSupported && Vector256.IsHardwareAccelerated && !Vector512.IsHardwareAccelerated && n >= 16 && n <= MaxScaledLength;

    /// <summary>
    /// <c>y[r]</c> = Σ w_r[i]·x[i] for IEEE half rows, bit for bit what <see cref="Dot{T}"/> returns, at a fraction of
    /// its decoding cost: the activations are copied once times 2^112 (<see cref="Fp16.ScaledUnit"/>) and each half
    /// is decoded to its value times 2^-112 with a shift and a mask (<see cref="Fp16.ToSingleScaled"/>), so every
    /// product, and hence every rounding of the same two-accumulator chain, equals the unscaled one. The scalar tail
    /// reads the original activations. A row holding an infinity or NaN (seen through the running maximum of the
    /// exponent fields) is redone by <see cref="Dot{T}"/>. Returns false, leaving <paramref name="y"/> alone, when an
    /// activation in the vector part is 2^16 or more in magnitude, infinite or NaN (its scaled copy would overflow).
    /// </summary>
    [SkipLocalsInit]
    private static bool DotRowsScaled(ushort* w, long wStride, int rows, float* x, int n, float* y)
    {
        int vectorLength = n & ~15;
        float* xs = stackalloc float[vectorLength];
        if (!ScaleActivations(x, vectorLength, xs)) return false;
        for (int r = 0; r < rows; r++)
        {
            ushort* wr = w + r * wStride;
            y[r] = DotScaled(wr, xs, x, n, out bool special);
            if (special) y[r] = Dot<HalfDecoder>(wr, x, n);
        }
        return true;
    }

    /// <summary>
    /// One row of <see cref="DotRowsScaled"/>: the loop of <see cref="Dot{T}"/> for 256-bit vectors over pre-scaled
    /// activations <paramref name="xs"/>, then its scalar tail over <paramref name="x"/>. <paramref name="special"/>
    /// reports an infinity or NaN in the vector part, whose scaled decoding is wrong.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float DotScaled(ushort* w, float* xs, float* x, int n, out bool special)
    {
        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
        Vector256<ushort> expMax = Vector256<ushort>.Zero;
        int i = 0;
        for (; i <= n - 16; i += 16)
        {
            Sse.Prefetch0((byte*)(w + i) + Packed.PackedInt8.PrefetchDistance);
            expMax = Vector256.Max(expMax, Vector256.Load(w + i) & Vector256.Create((ushort)0x7C00));
            Vector256<float> lo = Fp16.ToSingleScaled(Avx2.ConvertToVector256Int32((short*)(w + i)));
            Vector256<float> hi = Fp16.ToSingleScaled(Avx2.ConvertToVector256Int32((short*)(w + i + 8)));
            acc0 = Vector256.MultiplyAddEstimate(lo, Vector256.Load(xs + i), acc0);
            acc1 = Vector256.MultiplyAddEstimate(hi, Vector256.Load(xs + i + 8), acc1);
        }
        special = Vector256.EqualsAny(expMax, Vector256.Create((ushort)0x7C00));
        float sum = Vector256.Sum(acc0 + acc1);
        for (; i < n; i++) sum += Fp16.ToSingle(w[i]) * x[i];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot1x4<T>(ushort* w, float* x, int xStride, int n, float* result) where T : struct, IHalfDecoder
    {
        float* x0 = x, x1 = x + xStride, x2 = x + 2 * xStride, x3 = x + 3 * xStride;
        Vector256<float> a0 = Vector256<float>.Zero, b0 = Vector256<float>.Zero, a1 = Vector256<float>.Zero, b1 = Vector256<float>.Zero;
        Vector256<float> a2 = Vector256<float>.Zero, b2 = Vector256<float>.Zero, a3 = Vector256<float>.Zero, b3 = Vector256<float>.Zero;
        int i = 0;
        for (; i <= n - 16; i += 16)
        {
            Decode<T>(Vector256.Load(w + i), out var lo, out var hi);
            a0 = Vector256.MultiplyAddEstimate(lo, Vector256.Load(x0 + i), a0);
            b0 = Vector256.MultiplyAddEstimate(hi, Vector256.Load(x0 + i + 8), b0);
            a1 = Vector256.MultiplyAddEstimate(lo, Vector256.Load(x1 + i), a1);
            b1 = Vector256.MultiplyAddEstimate(hi, Vector256.Load(x1 + i + 8), b1);
            a2 = Vector256.MultiplyAddEstimate(lo, Vector256.Load(x2 + i), a2);
            b2 = Vector256.MultiplyAddEstimate(hi, Vector256.Load(x2 + i + 8), b2);
            a3 = Vector256.MultiplyAddEstimate(lo, Vector256.Load(x3 + i), a3);
            b3 = Vector256.MultiplyAddEstimate(hi, Vector256.Load(x3 + i + 8), b3);
        }
        Finish4<T>(w, x, xStride, i, n, a0 + b0, a1 + b1, a2 + b2, a3 + b3, result);
    }

    /// <summary>
    /// The end of a one-row, four-token dot: each token's vector sum, then elements [<paramref name="from"/>, n) one by
    /// one in order (the scalar tail of <see cref="Dot{T}"/>), into result[0..3].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish4<T>(ushort* w, float* x, int xStride, int from, int n,
        Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3, float* result) where T : struct, IHalfDecoder
    {
        float s0 = Vector256.Sum(v0), s1 = Vector256.Sum(v1), s2 = Vector256.Sum(v2), s3 = Vector256.Sum(v3);
        float* x0 = x, x1 = x + xStride, x2 = x + 2 * xStride, x3 = x + 3 * xStride;
        for (int i = from; i < n; i++)
        {
            float wi = T.ToSingle(w[i]);
            s0 += wi * x0[i];
            s1 += wi * x1[i];
            s2 += wi * x2[i];
            s3 += wi * x3[i];
        }
        result[0] = s0;
        result[1] = s1;
        result[2] = s2;
        result[3] = s3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Decode<T>(Vector512<ushort> raw, out Vector512<float> lo, out Vector512<float> hi) where T : struct, IHalfDecoder
    {
        var (l, h) = Vector512.Widen(raw.AsInt16());
        if (T.AllNormal(raw)) { lo = T.ToSingleNormal(l); hi = T.ToSingleNormal(h); }
        else { lo = T.ToSingle(l); hi = T.ToSingle(h); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Decode<T>(Vector256<ushort> raw, out Vector256<float> lo, out Vector256<float> hi) where T : struct, IHalfDecoder
    {
        var (l, h) = Vector256.Widen(raw.AsInt16());
        if (T.AllNormal(raw)) { lo = T.ToSingleNormal(l); hi = T.ToSingleNormal(h); }
        else { lo = T.ToSingle(l); hi = T.ToSingle(h); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Decode<T>(Vector128<ushort> raw, out Vector128<float> lo, out Vector128<float> hi) where T : struct, IHalfDecoder
    {
        var (l, h) = Vector128.Widen(raw.AsInt16());
        if (T.AllNormal(raw)) { lo = T.ToSingleNormal(l); hi = T.ToSingleNormal(h); }
        else { lo = T.ToSingle(l); hi = T.ToSingle(h); }
    }
}

/// <summary>IEEE binary16 (see <see cref="Fp16"/>).</summary>
internal readonly struct HalfDecoder : IHalfDecoder
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ToSingle(ushort bits) => Fp16.ToSingle(bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> ToSingle(Vector128<int> bits) => Fp16.ToSingle(bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ToSingle(Vector256<int> bits) => Fp16.ToSingle(bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> ToSingle(Vector512<int> bits) => Fp16.ToSingle(bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllNormal(Vector128<ushort> bits) => Fp16.AllNormal(bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllNormal(Vector256<ushort> bits) => Fp16.AllNormal(bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllNormal(Vector512<ushort> bits) => Fp16.AllNormal(bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> ToSingleNormal(Vector128<int> bits) => Fp16.ToSingleNormal(bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ToSingleNormal(Vector256<int> bits) => Fp16.ToSingleNormal(bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> ToSingleNormal(Vector512<int> bits) => Fp16.ToSingleNormal(bits);
}

/// <summary>bfloat16: the upper half of a float32, so every pattern takes the one-shift path.</summary>
internal readonly struct BFloat16Decoder : IHalfDecoder
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> ToSingle(Vector128<int> bits) => (bits << 16).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ToSingle(Vector256<int> bits) => (bits << 16).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> ToSingle(Vector512<int> bits) => (bits << 16).AsSingle();
    public static bool AllNormal(Vector128<ushort> bits) => true;
    public static bool AllNormal(Vector256<ushort> bits) => true;
    public static bool AllNormal(Vector512<ushort> bits) => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> ToSingleNormal(Vector128<int> bits) => (bits << 16).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ToSingleNormal(Vector256<int> bits) => (bits << 16).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> ToSingleNormal(Vector512<int> bits) => (bits << 16).AsSingle();
}
