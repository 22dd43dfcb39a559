// Q4_K rows packed eight at a time: per super-block the eight rows' d, dmin, 6-bit scales (byte-major) and nibbles.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Weft.Tensors.Quantization.KQuantMath;

namespace Weft.Tensors.Quantization.Packed;

/// <summary>
/// A packed super-block (1152 bytes, eight rows' worth): d[8] and dmin[8] (fp16), then the 12 scale bytes of the rows
/// byte-major (byte i of row r at 32 + 8i + r), so the 6-bit scales and mins of all eight rows unpack with a few
/// vector ops; then each row's 128 nibble bytes cut into sixteen 8-byte pieces placed by
/// <see cref="PackedInt8.PieceOffset"/>. Piece p holds elements 64⌊p/4⌋ + 8(p mod 4) + 0..7 in its low nibbles (sub-block
/// 2⌊p/4⌋) and the same positions 32 further on in its high nibbles (sub-block 2⌊p/4⌋ + 1). Each sub-block's 16-bit
/// product sums meet their rows' scales in one multiply-add, so a row's lane holds Σ sc·Σq·a over the super-block.
/// </summary>
public sealed unsafe class Q4_KPacking : RowPacking
{
    public static readonly Q4_KPacking Instance = new();

    private const int RowBlockBytes = 144;
    private const int GroupBlock = 8 * RowBlockBytes; // 1152
    private const int OffScales = 32, OffQs = 128;

    public override GgmlType Type => GgmlType.Q4_K;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per load, over every weight: no slow first tier
    public override bool Pack(byte* src, long srcStride, int n, byte* dst)
    {
        int blocks = KQuantSimd.CheckRow(n, int.MaxValue, 1);
        for (int b = 0; b < blocks; b++, dst += GroupBlock)
        {
            for (int r = 0; r < 8; r++)
            {
                byte* s = src + r * srcStride + (long)b * RowBlockBytes;
                *(ushort*)(dst + 2 * r) = *(ushort*)s;
                *(ushort*)(dst + 16 + 2 * r) = *(ushort*)(s + 2);
                for (int i = 0; i < 12; i++) dst[OffScales + 8 * i + r] = s[4 + i];
                for (int p = 0; p < 16; p++)
                    *(ulong*)(dst + OffQs + PackedInt8.PieceOffset(r, p)) = Unsafe.ReadUnaligned<ulong>(s + 16 + 8 * p);
            }
        }
        return true;
    }

    public override void Unpack(byte* group, int row, int n, byte* dst)
    {
        int blocks = KQuantSimd.CheckRow(n, int.MaxValue, 1);
        for (int b = 0; b < blocks; b++, group += GroupBlock, dst += RowBlockBytes)
        {
            *(ushort*)dst = *(ushort*)(group + 2 * row);
            *(ushort*)(dst + 2) = *(ushort*)(group + 16 + 2 * row);
            for (int i = 0; i < 12; i++) dst[4 + i] = group[OffScales + 8 * i + row];
            for (int p = 0; p < 16; p++)
                Unsafe.WriteUnaligned(dst + 16 + 8 * p, *(ulong*)(group + OffQs + PackedInt8.PieceOffset(row, p)));
        }
    }

    public override void DotTile(byte* packed, int groups, byte* x, int xStride, int tokens, int n, float* y, int yStride) =>
        PackedSuperBlocks.DotTile<Kernel>(packed, groups, x, xStride, tokens, n, y, yStride);

    private readonly struct Kernel : IPackedSuperKernel
    {
        public static int GroupBlockBytes => GroupBlock;

        /// <summary>Spreads a sub-block's eight row scales (one byte each) over the 16-bit lanes of the rows (0, 1, 4, 5).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<byte> SpreadA() => Vector256.Create(
            (byte)0, 0x80, 0, 0x80, 0, 0x80, 0, 0x80, 1, 0x80, 1, 0x80, 1, 0x80, 1, 0x80,
            4, 0x80, 4, 0x80, 4, 0x80, 4, 0x80, 5, 0x80, 5, 0x80, 5, 0x80, 5, 0x80);

        /// <summary>As <see cref="SpreadA"/> for the rows (2, 3, 6, 7).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<byte> SpreadB() => Vector256.Create(
            (byte)2, 0x80, 2, 0x80, 2, 0x80, 2, 0x80, 3, 0x80, 3, 0x80, 3, 0x80, 3, 0x80,
            6, 0x80, 6, 0x80, 6, 0x80, 6, 0x80, 7, 0x80, 7, 0x80, 7, 0x80, 7, 0x80);

        /// <summary>
        /// The eight rows' 6-bit scales and mins of a super-block (see <see cref="KQuantMath.GetScaleMinK4"/>), written
        /// sub-block-major: <paramref name="sc"/>[8j + r], <paramref name="mins"/>[8j + r].
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Scales(byte* g, byte* sc, byte* mins)
        {
            Vector256<byte> q03 = Vector256.Load(g + OffScales), q47 = Vector256.Load(g + OffScales + 32), q811 = Vector256.Load(g + OffScales + 64);
            var six = Vector256.Create((byte)63);
            var low4 = Vector256.Create((byte)0x0F);
            var top2 = Vector256.Create((byte)0x30);
            (q03 & six).Store(sc);
            ((q811 & low4) | (PackedInt8.Shift(q03, 2) & top2)).Store(sc + 32);
            (q47 & six).Store(mins);
            ((PackedInt8.Shift(q811, 4) & low4) | (PackedInt8.Shift(q47, 2) & top2)).Store(mins + 32);
        }

        /// <summary>Σ_j m_j·(a's sum over sub-block j) per row, exactly (at most 8·63·4064, well inside a float's integers).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> MinSums(byte* mins, byte* a)
        {
            short* bs = (short*)(a + Q8Bsums);
            Vector256<float> s = Vector256<float>.Zero;
            for (int j = 0; j < 8; j++)
                s = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(mins + 8 * j)),
                    Vector256.Create((float)(bs[2 * j] + bs[2 * j + 1])), s);
            return s;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        [SkipLocalsInit]
        public static void Dot1(byte* g, byte* a, int blocks, float* y)
        {
            byte* sc = stackalloc byte[64];
            byte* mins = stackalloc byte[64];
            var mask = Vector256.Create((byte)0x0F);
            Vector256<byte> spreadA = SpreadA(), spreadB = SpreadB();
            Vector256<float> acc = Vector256<float>.Zero;
            for (int b = 0; b < blocks; b++, g += GroupBlock, a += PackedSuperBlocks.ActivationBytes)
            {
                Scales(g, sc, mins);
                byte* aq = a + Q8Qs;
                Vector256<int> accA = Vector256<int>.Zero, accB = Vector256<int>.Zero;
                PackedInt8.Prefetch(g + 1024, 2);
                for (int i = 0; i < 4; i++)
                {
                    PackedInt8.Prefetch(g + 256 * i, 4);
                    byte* qs = g + OffQs + 256 * i;
                    byte* ai = aq + 64 * i;
                    Vector256<short> sA0 = Vector256<short>.Zero, sA1 = Vector256<short>.Zero, sB0 = Vector256<short>.Zero, sB1 = Vector256<short>.Zero;
                    for (int k = 0; k < 4; k++)
                    {
                        Vector256<sbyte> lo = PackedInt8.Broadcast8(ai + 8 * k), hi = PackedInt8.Broadcast8(ai + 32 + 8 * k);
                        Vector256<byte> cA = Vector256.Load(qs + 64 * k), cB = Vector256.Load(qs + 64 * k + 32);
                        sA0 += Avx2.MultiplyAddAdjacent(cA & mask, lo);
                        sA1 += Avx2.MultiplyAddAdjacent(PackedInt8.High(cA) & mask, hi);
                        sB0 += Avx2.MultiplyAddAdjacent(cB & mask, lo);
                        sB1 += Avx2.MultiplyAddAdjacent(PackedInt8.High(cB) & mask, hi);
                    }
                    Vector256<byte> s0 = PackedInt8.Broadcast8(sc + 16 * i).AsByte(), s1 = PackedInt8.Broadcast8(sc + 16 * i + 8).AsByte();
                    accA += Avx2.MultiplyAddAdjacent(sA0, Avx2.Shuffle(s0, spreadA).AsInt16()) + Avx2.MultiplyAddAdjacent(sA1, Avx2.Shuffle(s1, spreadA).AsInt16());
                    accB += Avx2.MultiplyAddAdjacent(sB0, Avx2.Shuffle(s0, spreadB).AsInt16()) + Avx2.MultiplyAddAdjacent(sB1, Avx2.Shuffle(s1, spreadB).AsInt16());
                }
                float da = *(float*)a;
                acc = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(Avx2.HorizontalAdd(accA, accB)), PackedInt8.Scales(g) * Vector256.Create(da), acc);
                acc = Vector256.MultiplyAddEstimate(MinSums(mins, a), PackedInt8.Scales(g + 16) * Vector256.Create(-da), acc);
            }
            acc.Store(y);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        [SkipLocalsInit]
        public static void Dot2(byte* g, byte* a0, byte* a1, int blocks, float* y0, float* y1)
        {
            byte* sc = stackalloc byte[64];
            byte* mins = stackalloc byte[64];
            var mask = Vector256.Create((byte)0x0F);
            Vector256<byte> spreadA = SpreadA(), spreadB = SpreadB();
            Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
            for (int b = 0; b < blocks; b++, g += GroupBlock, a0 += PackedSuperBlocks.ActivationBytes, a1 += PackedSuperBlocks.ActivationBytes)
            {
                Scales(g, sc, mins);
                Vector256<int> accA0 = Vector256<int>.Zero, accB0 = Vector256<int>.Zero, accA1 = Vector256<int>.Zero, accB1 = Vector256<int>.Zero;
                PackedInt8.Prefetch(g + 1024, 2);
                for (int i = 0; i < 4; i++)
                {
                    PackedInt8.Prefetch(g + 256 * i, 4);
                    Vector256<byte> s0 = PackedInt8.Broadcast8(sc + 16 * i).AsByte(), s1 = PackedInt8.Broadcast8(sc + 16 * i + 8).AsByte();
                    for (int half = 0; half < 2; half++)
                    {
                        byte* qs = g + OffQs + 256 * i + 32 * half;
                        byte* p0 = a0 + Q8Qs + 64 * i, p1 = a1 + Q8Qs + 64 * i;
                        Vector256<short> t00 = Vector256<short>.Zero, t01 = Vector256<short>.Zero, t10 = Vector256<short>.Zero, t11 = Vector256<short>.Zero;
                        for (int k = 0; k < 4; k++)
                        {
                            Vector256<byte> c = Vector256.Load(qs + 64 * k);
                            Vector256<byte> cl = c & mask, ch = PackedInt8.High(c) & mask;
                            t00 += Avx2.MultiplyAddAdjacent(cl, PackedInt8.Broadcast8(p0 + 8 * k));
                            t01 += Avx2.MultiplyAddAdjacent(ch, PackedInt8.Broadcast8(p0 + 32 + 8 * k));
                            t10 += Avx2.MultiplyAddAdjacent(cl, PackedInt8.Broadcast8(p1 + 8 * k));
                            t11 += Avx2.MultiplyAddAdjacent(ch, PackedInt8.Broadcast8(p1 + 32 + 8 * k));
                        }
                        Vector256<byte> spread = half == 0 ? spreadA : spreadB;
                        Vector256<short> sc0 = Avx2.Shuffle(s0, spread).AsInt16(), sc1 = Avx2.Shuffle(s1, spread).AsInt16();
                        Vector256<int> v0 = Avx2.MultiplyAddAdjacent(t00, sc0) + Avx2.MultiplyAddAdjacent(t01, sc1);
                        Vector256<int> v1 = Avx2.MultiplyAddAdjacent(t10, sc0) + Avx2.MultiplyAddAdjacent(t11, sc1);
                        if (half == 0) { accA0 += v0; accA1 += v1; }
                        else { accB0 += v0; accB1 += v1; }
                    }
                }
                Vector256<float> d = PackedInt8.Scales(g), dmin = PackedInt8.Scales(g + 16);
                float da0 = *(float*)a0, da1 = *(float*)a1;
                acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(Avx2.HorizontalAdd(accA0, accB0)), d * Vector256.Create(da0), acc0);
                acc0 = Vector256.MultiplyAddEstimate(MinSums(mins, a0), dmin * Vector256.Create(-da0), acc0);
                acc1 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(Avx2.HorizontalAdd(accA1, accB1)), d * Vector256.Create(da1), acc1);
                acc1 = Vector256.MultiplyAddEstimate(MinSums(mins, a1), dmin * Vector256.Create(-da1), acc1);
            }
            acc0.Store(y0);
            acc1.Store(y1);
        }
    }
}
