// Vectorised activation quantization to Q8_0 / Q8_1: runs once per activation row per matrix product.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Weft.Tensors.Quantization;

/// <summary>
/// The same numbers as quantize_row_q8_0_ref / quantize_row_q8_1_ref: d = amax/127 (a float division), q = round(x·(1/d))
/// with halves rounded away from zero, d stored as fp16; for Q8_1 also s = fp16(d·Σq).
/// </summary>
internal static unsafe class Q8Rows
{
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated;

    /// <summary>Writes <paramref name="blocks"/> blocks; quants at byte 2 (Q8_0) or, with the sum, at byte 4 (Q8_1).</summary>
    public static void Quantize(float* x, byte* y, int blocks, bool withSum)
    {
        int blockBytes = withSum ? 36 : 34;
        int quantsOffset = withSum ? 4 : 2;
        for (int b = 0; b < blocks; b++, x += 32, y += blockBytes)
        {
            Vector256<float> v0 = Vector256.Load(x), v1 = Vector256.Load(x + 8), v2 = Vector256.Load(x + 16), v3 = Vector256.Load(x + 24);
            Vector256<float> m = Vector256.MaxNative(
                Vector256.MaxNative(Vector256.Abs(v0), Vector256.Abs(v1)),
                Vector256.MaxNative(Vector256.Abs(v2), Vector256.Abs(v3)));
            float amax = MaxAcross(Vector128.MaxNative(m.GetLower(), m.GetUpper()));
            float d = amax / 127f;
            var id = Vector256.Create(d != 0 ? 1f / d : 0f);

            Vector256<int> i0 = Vector256.ConvertToInt32Native(RoundHalfAway(v0 * id));
            Vector256<int> i1 = Vector256.ConvertToInt32Native(RoundHalfAway(v1 * id));
            Vector256<int> i2 = Vector256.ConvertToInt32Native(RoundHalfAway(v2 * id));
            Vector256<int> i3 = Vector256.ConvertToInt32Native(RoundHalfAway(v3 * id));
            Vector256.Narrow(Vector256.Narrow(i0, i1), Vector256.Narrow(i2, i3)).Store((sbyte*)(y + quantsOffset));
            // the scalars last: no vector is live across the rare out-of-line fp16 conversion
            int sum = withSum ? Vector256.Sum(i0 + i1 + i2 + i3) : 0;
            Unsafe.WriteUnaligned(y, Fp16.FromSingle(d));
            if (withSum) Unsafe.WriteUnaligned(y + 2, Fp16.FromSingle(sum * d));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MaxAcross(Vector128<float> v)
    {
        v = Vector128.MaxNative(v, Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)));
        v = Vector128.MaxNative(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2)));
        return v.ToScalar();
    }

    /// <summary>C's roundf: to the nearest integer, halves away from zero (v − trunc(v) is exact, so the test is too).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> RoundHalfAway(Vector256<float> v)
    {
        Vector256<float> t = Vector256.Truncate(v);
        Vector256<float> up = Vector256.GreaterThanOrEqual(Vector256.Abs(v - t), Vector256.Create(0.5f));
        return t + (up & Vector256.CopySign(Vector256.Create(1f), v));
    }
}
