// The loop driver for packed groups of 32-element integer blocks (Q4_0, Q8_0) against Q8_0 activations.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Weft.Tensors.Quantization.Packed;

/// <summary>
/// The kernels of one packed format: eight rows of a block in <see cref="GroupBlockBytes"/> bytes (the eight fp16
/// scales first), against one or two activation rows. <c>xq</c> points at the quants of an activation's first
/// block (34-byte Q8_0 blocks), <c>xs</c> holds the activation block scales times 2^112 (to meet
/// <see cref="PackedInt8.ScalesTimes2Pow112"/>) and <c>xsum</c> −offset·Σq per block.
/// Accumulation starts from zero, or from <c>y</c> when <c>first</c> is false (a long row taken in passes).
/// </summary>
internal unsafe interface IPackedKernel
{
    static abstract int GroupBlockBytes { get; }

    /// <summary>The weights' implied offset (Q4_0: 8), subtracted through <c>xsum</c>; 0 for none.</summary>
    static abstract int Offset { get; }

    static abstract void Dot1(byte* g, byte* xq, int blocks, float* xs, int* xsum, float* y, bool first);

    /// <summary>As <see cref="Dot1"/> for two activation rows at once, each with exactly <see cref="Dot1"/>'s arithmetic.</summary>
    static abstract void Dot2(byte* g, byte* xq0, byte* xq1, int blocks, float* xs0, int* xsum0, float* xs1, int* xsum1,
        float* y0, float* y1, bool first);
}

internal static unsafe class PackedInt8
{
    private const int ActivationBytes = 34;

    /// <summary>Blocks per pass: the activation scales and sums of a pass live on the stack.</summary>
    private const int Pass = 512;

    public static void DotTile<TK>(byte* packed, int groups, byte* x, int xStride, int tokens, int n, float* y, int yStride)
        where TK : struct, IPackedKernel
    {
        int blocks = Int8Blocks.BlockCount(n);
        long groupBytes = (long)blocks * TK.GroupBlockBytes;
        float* xs = stackalloc float[2 * Pass];
        int* xsum = stackalloc int[2 * Pass];
        for (int b0 = 0; b0 < blocks; b0 += Pass)
        {
            int nb = Math.Min(Pass, blocks - b0);
            bool first = b0 == 0;
            byte* g0 = packed + (long)b0 * TK.GroupBlockBytes;
            int t = 0;
            for (; t + 2 <= tokens; t += 2)
            {
                byte* x0 = x + (long)t * xStride + (long)b0 * ActivationBytes, x1 = x0 + xStride;
                Prepare<TK>(x0, nb, xs, xsum);
                Prepare<TK>(x1, nb, xs + Pass, xsum + Pass);
                float* y0 = y + (long)t * yStride, y1 = y0 + yStride;
                for (int g = 0; g < groups; g++)
                    TK.Dot2(g0 + g * groupBytes, x0 + 2, x1 + 2, nb, xs, xsum, xs + Pass, xsum + Pass, y0 + 8 * g, y1 + 8 * g, first);
            }
            if (t < tokens)
            {
                byte* x0 = x + (long)t * xStride + (long)b0 * ActivationBytes;
                Prepare<TK>(x0, nb, xs, xsum);
                float* y0 = y + (long)t * yStride;
                for (int g = 0; g < groups; g++)
                    TK.Dot1(g0 + g * groupBytes, x0 + 2, nb, xs, xsum, y0 + 8 * g, first);
            }
        }
    }

    /// <summary>
    /// Packs eight rows of 32-element blocks laid out as an fp16 scale and then <paramref name="pieces"/> × 8 quant
    /// bytes (Q4_0: 2, Q8_0: 4): the scales side by side, the pieces placed by <see cref="PieceOffset"/>. False when a
    /// scale is infinite or NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per load, over every weight: no slow first tier
    public static bool PackBlocks(byte* src, long srcStride, int n, byte* dst, int pieces)
    {
        int blocks = Int8Blocks.BlockCount(n), rowBlock = 2 + 8 * pieces;
        bool finite = true;
        for (int b = 0; b < blocks; b++, dst += 8 * rowBlock)
        {
            for (int r = 0; r < 8; r++)
            {
                byte* s = src + r * srcStride + (long)b * rowBlock;
                *(ushort*)(dst + 2 * r) = *(ushort*)s;
                finite &= IsFinite(*(ushort*)s);
                for (int k = 0; k < pieces; k++)
                    *(ulong*)(dst + 16 + PieceOffset(r, k)) = Unsafe.ReadUnaligned<ulong>(s + 2 + 8 * k);
            }
        }
        return finite;
    }

    /// <summary>The inverse of <see cref="PackBlocks"/> for one row.</summary>
    public static void UnpackBlocks(byte* group, int row, int n, byte* dst, int pieces)
    {
        int blocks = Int8Blocks.BlockCount(n), rowBlock = 2 + 8 * pieces;
        for (int b = 0; b < blocks; b++, group += 8 * rowBlock, dst += rowBlock)
        {
            *(ushort*)dst = *(ushort*)(group + 2 * row);
            for (int k = 0; k < pieces; k++)
                Unsafe.WriteUnaligned(dst + 2 + 8 * k, *(ulong*)(group + 16 + PieceOffset(row, k)));
        }
    }

    /// <summary>Per activation block: its scale times 2^112, and −offset·Σq for formats with an offset.</summary>
    private static void Prepare<TK>(byte* a, int blocks, float* xs, int* xsum) where TK : struct, IPackedKernel
    {
        for (int b = 0; b < blocks; b++, a += ActivationBytes)
        {
            xs[b] = Fp16.Read(a) * Int8Blocks.HalfRebias; // times 2^112, meeting ScalesTimes2Pow112 (|d| ≤ 65504 stays finite)
            if (TK.Offset != 0)
            {
                Vector256<int> s = Avx2.MultiplyAddAdjacent(
                    Avx2.MultiplyAddAdjacent(Vector256.Create((byte)1), Vector256.Load((sbyte*)(a + 2))), Vector256.Create((short)1));
                xsum[b] = -TK.Offset * Vector256.Sum(s);
            }
            else xsum[b] = 0;
        }
    }

    /// <summary>
    /// The eight fp16 scales at <paramref name="p"/> times 2^-112, exactly, for finite halves: sign-extended to 32 bits and
    /// shifted left by 13, a half's exponent and mantissa land in a float's place (worth 2^-112 of the value) and the
    /// sign in bit 31; the mask clears the sign's copies from the exponent. Two operations where the general
    /// conversion takes eight; packing refuses groups with an infinite or NaN scale (see <see cref="IsFinite"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ScalesTimes2Pow112(byte* p) =>
        ((Avx2.ConvertToVector256Int32((short*)p) << 13) & Vector256.Create(unchecked((int)0x8FFFFFFF))).AsSingle();

    /// <summary>Whether an fp16 pattern is finite (its exponent is not all ones).</summary>
    public static bool IsFinite(ushort half) => (half & 0x7C00) != 0x7C00;

    /// <summary>The eight fp16 scales at <paramref name="p"/>, exactly, as floats (see <see cref="Int8Blocks.ScaledHalves"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Scales(byte* p) =>
        Int8Blocks.ScaledHalves(Avx2.ConvertToVector256Int32((ushort*)p), Vector256.Create(Int8Blocks.HalfRebias));

    /// <summary>
    /// How far ahead of the kernels the weights are fetched into cache. The hardware prefetchers stop at 4 KiB pages
    /// and restart slowly; asking for the lines 2.5 KiB ahead keeps the stream from DRAM going (≈ +12 % decoding Q4_0).
    /// </summary>
    public const int PrefetchDistance = 2560;

    /// <summary>Asks for the <paramref name="lines"/> cache lines from <paramref name="p"/> + <see cref="PrefetchDistance"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prefetch(byte* p, int lines)
    {
        for (int i = 0; i < lines; i++) Sse.Prefetch0(p + PrefetchDistance + 64 * i);
    }

    /// <summary>Eight activation quants repeated in each 64-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> Broadcast8(byte* p) => Vector256.Create(Unsafe.ReadUnaligned<long>(p)).AsSByte();

    /// <summary>Bytes shifted right by four bits (the high nibbles, before masking).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> High(Vector256<byte> v) => Shift(v, 4);

    /// <summary>Bytes shifted right by <paramref name="bits"/> in 16-bit lanes: mask afterwards to keep each byte's own bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1857", Justification = "always inlined, and every caller passes a constant")]
    public static Vector256<byte> Shift(Vector256<byte> v, byte bits) => Avx2.ShiftRightLogical(v.AsUInt16(), bits).AsByte();

    /// <summary>
    /// Copies 8-byte pieces between the format's rows and a packed block: piece <c>k</c> of the four rows (0, 1, 4, 5)
    /// goes to bytes [64k, 64k + 32), of rows (2, 3, 6, 7) to [64k + 32, 64k + 64), one row per 8 bytes. With this
    /// order a horizontal add of the two halves' per-row sums lands rows 0..7 in lanes 0..7.
    /// </summary>
    public static int PieceOffset(int row, int piece)
    {
        int half = (row >> 1) & 1;              // rows 2, 3, 6, 7 are the second half
        int slot = (row & 1) | ((row >> 2) << 1); // 0, 1, 4, 5 → 0, 1, 2, 3 and 2, 3, 6, 7 → 0, 1, 2, 3
        return 64 * piece + 32 * half + 8 * slot;
    }
}
