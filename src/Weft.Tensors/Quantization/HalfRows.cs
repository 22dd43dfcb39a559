// The loop driver for 16-bit float rows (F16, BF16): decode to float and dot against float activations.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
