// IEEE binary16 decoding: a scalar fast path for block scales and Vector128/256/512 converters for F16 rows.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Weft.Tensors.Quantization;

/// <summary>
/// Half-precision decoding that is bit-identical to <c>(float)Half</c> for every one of the 65536 inputs
/// (subnormals exact, infinities kept, NaNs made quiet with their payload kept). The vector forms take
/// the 16-bit patterns sign- or zero-extended into 32-bit lanes (only the low 16 bits are read).
/// </summary>
internal static class Fp16
{
    private const int ExpMantMask = 0x7FFF;
    private const int SignMask = 0x8000;
    private const int InfBits = 0x7C00;        // exponent all ones: infinity, or NaN when the mantissa is not zero
    private const int MinNormalBits = 0x0400;  // below this: zero or subnormal
    private const int RebiasBits = (127 - 15) << 23;  // added to (bits << 13) to move the exponent bias from 15 to 127
    private const float SubnormalUnit = 1f / (1 << 24); // value of the lowest mantissa bit of a subnormal half

    /// <summary>One half to float, without calls (a call in a hot loop makes the JIT spill every vector register).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort h)
    {
        uint em = h & (uint)ExpMantMask;
        uint bits;
        if (em - MinNormalBits < InfBits - MinNormalBits) bits = (em << 13) + RebiasBits;      // normal: all real scales
        else if (em < MinNormalBits) bits = BitConverter.SingleToUInt32Bits((int)em * SubnormalUnit); // zero, subnormal
        else bits = (em << 13) | 0x7F800000u | (em > InfBits ? 0x00400000u : 0u);               // infinity; NaN made quiet
        return BitConverter.UInt32BitsToSingle(bits | ((uint)(h & SignMask) << 16));
    }

    /// <summary>
    /// Float to half, rounding to nearest even exactly as <c>(Half)value</c>: inline for results in the normal range,
    /// through <see cref="Half"/> for the rest (subnormal, overflow, NaN).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint abs = bits & 0x7FFFFFFFu;
        // [2^-14, 65520): rounds to a normal half (65520 and up round to infinity)
        if (abs - 0x38800000u < 0x477FF000u - 0x38800000u)
        {
            uint rounded = abs + 0x0FFFu + ((abs >> 13) & 1u); // round the 13 dropped mantissa bits, ties to even
            return (ushort)(((bits >> 16) & SignMask) | ((rounded >> 13) - ((127 - 15) << 10)));
        }
        return FromSingleSlow(value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ushort FromSingleSlow(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe float Read(byte* p) => ToSingle(Unsafe.ReadUnaligned<ushort>(p));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ToSingle(Vector128<int> h)
    {
        Vector128<int> em = h & Vector128.Create(ExpMantMask);
        Vector128<int> normal = (em << 13) + Vector128.Create(RebiasBits);
        Vector128<int> special = (em << 13) | Vector128.Create(0x7F800000)
                                 | (Vector128.GreaterThan(em, Vector128.Create(InfBits)) & Vector128.Create(0x00400000));
        Vector128<int> tiny = (Vector128.ConvertToSingle(em) * Vector128.Create(SubnormalUnit)).AsInt32();
        Vector128<int> bits = Vector128.ConditionalSelect(Vector128.LessThan(em, Vector128.Create(MinNormalBits)), tiny,
            Vector128.ConditionalSelect(Vector128.LessThan(em, Vector128.Create(InfBits)), normal, special));
        return (bits | ((h & Vector128.Create(SignMask)) << 16)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ToSingle(Vector256<int> h)
    {
        Vector256<int> em = h & Vector256.Create(ExpMantMask);
        Vector256<int> normal = (em << 13) + Vector256.Create(RebiasBits);
        Vector256<int> special = (em << 13) | Vector256.Create(0x7F800000)
                                 | (Vector256.GreaterThan(em, Vector256.Create(InfBits)) & Vector256.Create(0x00400000));
        Vector256<int> tiny = (Vector256.ConvertToSingle(em) * Vector256.Create(SubnormalUnit)).AsInt32();
        Vector256<int> bits = Vector256.ConditionalSelect(Vector256.LessThan(em, Vector256.Create(MinNormalBits)), tiny,
            Vector256.ConditionalSelect(Vector256.LessThan(em, Vector256.Create(InfBits)), normal, special));
        return (bits | ((h & Vector256.Create(SignMask)) << 16)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ToSingle(Vector512<int> h)
    {
        Vector512<int> em = h & Vector512.Create(ExpMantMask);
        Vector512<int> normal = (em << 13) + Vector512.Create(RebiasBits);
        Vector512<int> special = (em << 13) | Vector512.Create(0x7F800000)
                                 | (Vector512.GreaterThan(em, Vector512.Create(InfBits)) & Vector512.Create(0x00400000));
        Vector512<int> tiny = (Vector512.ConvertToSingle(em) * Vector512.Create(SubnormalUnit)).AsInt32();
        Vector512<int> bits = Vector512.ConditionalSelect(Vector512.LessThan(em, Vector512.Create(MinNormalBits)), tiny,
            Vector512.ConditionalSelect(Vector512.LessThan(em, Vector512.Create(InfBits)), normal, special));
        return (bits | ((h & Vector512.Create(SignMask)) << 16)).AsSingle();
    }

    // Normal numbers only (exponent neither 0 nor 31, see AllNormal). The pattern comes sign-extended, so a shift
    // left by 13 puts the sign at bit 31 (copies of it at bits 28..30 are masked off) and exponent and mantissa
    // where a float has them; adding the bias difference finishes the conversion.
    private const int NormalMask = unchecked((int)0x8FFFE000);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ToSingleNormal(Vector128<int> h) =>
        (((h << 13) & Vector128.Create(NormalMask)) + Vector128.Create(RebiasBits)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ToSingleNormal(Vector256<int> h) =>
        (((h << 13) & Vector256.Create(NormalMask)) + Vector256.Create(RebiasBits)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ToSingleNormal(Vector512<int> h) =>
        (((h << 13) & Vector512.Create(NormalMask)) + Vector512.Create(RebiasBits)).AsSingle();

    // Every finite pattern, as its value times 2^-112: the sign-extended pattern shifted left by 13 puts sign,
    // exponent and mantissa where a float has them (sign copies at bits 28..30 masked off), and leaving the
    // exponent bias at 15 instead of 127 scales by 2^-112. Subnormal halves land on float subnormals or normals
    // of the same scaled value, so the one shift-and-mask covers zeros, subnormals and normals alike.
    private const int ScaledMask = unchecked((int)0x8FFFFFFF);

    /// <summary>
    /// 2^112: activations multiplied by it pair with <see cref="ToSingleScaled"/> weights to give the very products
    /// of the unscaled values (both scalings are exact), so a dot over them rounds exactly as one over the decoded
    /// halves. Exact for activations below 2^16 in magnitude; larger ones overflow.
    /// </summary>
    public const float ScaledUnit = (float)(1L << 56) * (1L << 56);

    /// <summary>Activations at or above this magnitude (2^16, as float bits) overflow when multiplied by <see cref="ScaledUnit"/>.</summary>
    public const int ScaledActivationLimitBits = 0x47800000;

    /// <summary>
    /// A finite half's value times 2^-112 in two operations instead of the eight of <see cref="ToSingleNormal(Vector256{int})"/>
    /// plus its <see cref="AllNormal(Vector256{ushort})"/> test. Infinities and NaNs come out as large finite values,
    /// so callers must find those patterns (exponent field all ones) themselves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ToSingleScaled(Vector256<int> h) => ((h << 13) & Vector256.Create(ScaledMask)).AsSingle();

    // With e the exponent field, a lane is normal when e − 1 and 30 − e are both non-negative, so one sign test
    // over (e − 1) | (30 − e) covers all lanes.
    private const ushort ExpField = InfBits;
    private const ushort MaxNormalExpField = InfBits - MinNormalBits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllNormal(Vector128<ushort> h)
    {
        Vector128<ushort> e = h & Vector128.Create(ExpField);
        Vector128<ushort> t = (e - Vector128.Create((ushort)MinNormalBits)) | (Vector128.Create(MaxNormalExpField) - e);
        return (t & Vector128.Create((ushort)SignMask)) == Vector128<ushort>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllNormal(Vector256<ushort> h)
    {
        Vector256<ushort> e = h & Vector256.Create(ExpField);
        Vector256<ushort> t = (e - Vector256.Create((ushort)MinNormalBits)) | (Vector256.Create(MaxNormalExpField) - e);
        return (t & Vector256.Create((ushort)SignMask)) == Vector256<ushort>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllNormal(Vector512<ushort> h)
    {
        Vector512<ushort> e = h & Vector512.Create(ExpField);
        Vector512<ushort> t = (e - Vector512.Create((ushort)MinNormalBits)) | (Vector512.Create(MaxNormalExpField) - e);
        return (t & Vector512.Create((ushort)SignMask)) == Vector512<ushort>.Zero;
    }
}
