// Vector helpers shared by the K-quant fast paths: argument checks, scale shuffles and float emission.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Weft.Tensors.Quantization;

internal static class KQuantSimd
{
    /// <summary>
    /// pshufb masks that spread two bytes of a 16-byte vector over 8 lanes each: mask k picks bytes 2k and 2k+1,
    /// so sign- or zero-extending the result gives the int16 scale vector of sub-blocks 2k and 2k+1.
    /// </summary>
    private static ReadOnlySpan<byte> PairShuffleTable =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
        2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3,
        4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5,
        6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7,
        8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9,
        10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11,
        12, 12, 12, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 13,
        14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15,
    ];

    /// <summary>Each byte doubled: [0,0,1,1,…,7,7], spreading 8 per-32-element values over 16 groups of 16.</summary>
    private static ReadOnlySpan<byte> DoubleShuffleTable => [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> PairMask(int k) =>
        Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(PairShuffleTable), (nuint)(16 * k));

    public static Vector128<byte> DoubleMask =>
        Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(DoubleShuffleTable));

    /// <summary>
    /// Runs a one-row × four-token kernel over every row and every whole group of four tokens of a tile
    /// (see <see cref="QuantFormat.DotTile"/>); returns how many tokens it covered (a multiple of four).
    /// </summary>
    public static unsafe int TilesOf4(byte* w, long wStride, int rows, byte* x, int xStride, int tokens, int nb, float* y, int yStride,
        delegate*<byte*, byte*, int, int, float*, void> kernel)
    {
        float* out4 = stackalloc float[4];
        int t = 0;
        for (; t + 4 <= tokens; t += 4)
        {
            byte* xt = x + (long)t * xStride;
            for (int r = 0; r < rows; r++)
            {
                kernel(w + r * wStride, xt, xStride, nb, out4);
                float* yr = y + (long)t * yStride + r;
                yr[0] = out4[0];
                yr[yStride] = out4[1];
                yr[2 * yStride] = out4[2];
                yr[3 * yStride] = out4[3];
            }
        }
        return t;
    }

    /// <summary>Blocks in a row of <paramref name="n"/> elements, after checking both rows are long enough.</summary>
    public static int CheckDot(ReadOnlySpan<byte> weights, int blockBytes, ReadOnlySpan<byte> activations, int n)
    {
        if (n < 0 || n % KQuantMath.QK != 0)
            throw new ArgumentException($"row of {n} elements is not a multiple of {KQuantMath.QK}", nameof(n));
        int nb = n / KQuantMath.QK;
        if (weights.Length < (long)nb * blockBytes)
            throw new ArgumentException($"weight row has {weights.Length} bytes, {nb} blocks need {(long)nb * blockBytes}", nameof(weights));
        if (activations.Length < (long)nb * KQuantMath.Q8Bytes)
            throw new ArgumentException($"activation row has {activations.Length} bytes, {nb} blocks need {(long)nb * KQuantMath.Q8Bytes}", nameof(activations));
        return nb;
    }

    /// <summary>Blocks in <paramref name="elements"/> elements, after checking the packed side is long enough.</summary>
    public static int CheckRow(int elements, int packedLength, int blockBytes)
    {
        if (elements % KQuantMath.QK != 0)
            throw new ArgumentException($"row of {elements} elements is not a multiple of {KQuantMath.QK}");
        int nb = elements / KQuantMath.QK;
        if (packedLength < (long)nb * blockBytes)
            throw new ArgumentException($"{packedLength} bytes cannot hold {nb} blocks of {blockBytes} bytes");
        return nb;
    }

    /// <summary>
    /// Writes 32 floats <c>dl·q − ml</c>: lanes 0–15 with (dl0, ml0), lanes 16–31 with (dl1, ml1). Each element
    /// gets one multiply and one subtract, so the result is bit-identical to the scalar expression.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Emit32(Vector256<sbyte> q, float dl0, float ml0, float dl1, float ml1, float* dst)
    {
        var (lo16, hi16) = Vector256.Widen(q);
        var (a, b) = Vector256.Widen(lo16);
        var (c, d) = Vector256.Widen(hi16);
        var s0 = Vector256.Create(dl0);
        var m0 = Vector256.Create(ml0);
        var s1 = Vector256.Create(dl1);
        var m1 = Vector256.Create(ml1);
        Vector256.Store(s0 * Vector256.ConvertToSingle(a) - m0, dst);
        Vector256.Store(s0 * Vector256.ConvertToSingle(b) - m0, dst + 8);
        Vector256.Store(s1 * Vector256.ConvertToSingle(c) - m1, dst + 16);
        Vector256.Store(s1 * Vector256.ConvertToSingle(d) - m1, dst + 24);
    }

    /// <summary>Bytes of <paramref name="v"/> shifted right by <paramref name="shift"/> and masked (shift within 16-bit lanes, then mask).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> ShiftMask(Vector256<byte> v, int shift, byte mask) =>
        Vector256.ShiftRightLogical(v.AsUInt16(), shift).AsByte() & Vector256.Create(mask);

    /// <summary>0xFF where bit <paramref name="bit"/> of the byte is set, else 0, and'ed with <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> BitSelect(Vector256<byte> v, int bit, byte value)
    {
        var m = Vector256.Create((byte)(1 << bit));
        return Vector256.Equals(v & m, m) & Vector256.Create(value);
    }
}
