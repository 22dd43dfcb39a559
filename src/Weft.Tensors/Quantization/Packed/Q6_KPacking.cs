// Q6_K rows packed eight at a time: per super-block the eight rows' d, their int8 scales paired by sub-block, and
// the 6-bit quants re-cut so that three bytes hold four levels, three of them whole.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Weft.Tensors.Quantization.KQuantMath;

namespace Weft.Tensors.Quantization.Packed;

/// <summary>
/// A packed super-block (1680 bytes, eight rows' worth). d[8] (fp16) first. Then for each pair p of sub-blocks
/// (2p, 2p + 1) the 16 scale bytes of the eight rows interleaved, byte 2r + e = scale 2p + e of row r, so that one
/// sign-extending load gives each row a 32-bit lane (even scale, odd scale): one multiply-add against the pair's
/// activation sums gives every row its offset term in row order, and byte shuffles spread either scale over a row's
/// 16-bit lanes. Then the quants: the pair's 32 elements of a row are four 8-element pieces E0..E3, stored as three
/// 8-byte pieces X, Y, Z (pieces 3p, 3p + 1, 3p + 2 placed by <see cref="PackedInt8.PieceOffset"/>) with byte i of
/// X = E0[i] | (E3[i] bits 0–1) &lt;&lt; 6, of Y = E1[i] | (E3[i] bits 2–3) &lt;&lt; 6, of Z = E2[i] | (E3[i] bits 4–5) &lt;&lt; 6,
/// where a level is q + 32 (0..63). Three masks give E0..E2 and three masked shifts rebuild E3, against the six
/// shifts, eight masks and four merges the format's own split of low nibbles and high bit pairs would cost. The
/// levels stay unsigned for the unsigned-by-signed multiply; the −32 comes back through the activation's sums.
/// Every bit of ql and qh is kept, so any row, valid or not, unpacks to itself.
/// </summary>
public sealed unsafe class Q6_KPacking : RowPacking
{
    public static readonly Q6_KPacking Instance = new();

    private const int RowBlockBytes = 210;
    private const int GroupBlock = 8 * RowBlockBytes; // 1680
    private const int OffScales = 16, OffQs = 144;
    private const int RowQl = 0, RowQh = 128, RowScales = 192, RowD = 208;

    public override GgmlType Type => GgmlType.Q6_K;

    private const ulong Low4 = 0x0F0F0F0F0F0F0F0FUL, Bits45 = 0x3030303030303030UL, Low2 = 0x0303030303030303UL, Low6 = 0x3F3F3F3F3F3F3F3FUL;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per load, over every weight: no slow first tier
    public override bool Pack(byte* src, long srcStride, int n, byte* dst)
    {
        int blocks = KQuantSimd.CheckRow(n, int.MaxValue, 1);
        ulong* e = stackalloc ulong[16];
        for (int b = 0; b < blocks; b++, dst += GroupBlock)
        {
            for (int r = 0; r < 8; r++)
            {
                byte* s = src + r * srcStride + (long)b * RowBlockBytes;
                *(ushort*)(dst + 2 * r) = *(ushort*)(s + RowD);
                for (int j = 0; j < 16; j++) dst[OffScales + 16 * (j / 2) + 2 * r + j % 2] = s[RowScales + j];
                for (int h = 0; h < 2; h++)
                {
                    ReadLevels(s, h, e);
                    for (int k = 0; k < 4; k++)
                    {
                        int p = 4 * h + k;
                        ulong* ek = e + 4 * k, top = e + 4 * k + 3;
                        byte* q = dst + OffQs;
                        *(ulong*)(q + PackedInt8.PieceOffset(r, 3 * p)) = ek[0] | (*top & Low2) << 6;
                        *(ulong*)(q + PackedInt8.PieceOffset(r, 3 * p + 1)) = ek[1] | (*top >> 2 & Low2) << 6;
                        *(ulong*)(q + PackedInt8.PieceOffset(r, 3 * p + 2)) = ek[2] | (*top >> 4 & Low2) << 6;
                    }
                }
            }
        }
        return true;
    }

    public override void Unpack(byte* group, int row, int n, byte* dst)
    {
        int blocks = KQuantSimd.CheckRow(n, int.MaxValue, 1);
        ulong* e = stackalloc ulong[16];
        for (int b = 0; b < blocks; b++, group += GroupBlock, dst += RowBlockBytes)
        {
            *(ushort*)(dst + RowD) = *(ushort*)(group + 2 * row);
            for (int j = 0; j < 16; j++) dst[RowScales + j] = group[OffScales + 16 * (j / 2) + 2 * row + j % 2];
            for (int h = 0; h < 2; h++)
            {
                for (int k = 0; k < 4; k++)
                {
                    int p = 4 * h + k;
                    byte* q = group + OffQs;
                    ulong x = *(ulong*)(q + PackedInt8.PieceOffset(row, 3 * p));
                    ulong y = *(ulong*)(q + PackedInt8.PieceOffset(row, 3 * p + 1));
                    ulong z = *(ulong*)(q + PackedInt8.PieceOffset(row, 3 * p + 2));
                    ulong* ek = e + 4 * k;
                    ek[0] = x & Low6;
                    ek[1] = y & Low6;
                    ek[2] = z & Low6;
                    ek[3] = (x >> 6 & Low2) | (y >> 4 & (Low2 << 2)) | (z >> 2 & Bits45);
                }
                WriteLevels(e, h, dst);
            }
        }
    }

    /// <summary>
    /// The levels (low | high &lt;&lt; 4, 0..63) of half <paramref name="h"/> of a Q6_K block, eight bytes at a time:
    /// <paramref name="e"/>[4k + m] holds elements 128h + 32k + 8m + 0..7. Shifts of whole 64-bit words only move bits
    /// into positions the masks then clear.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadLevels(byte* block, int h, ulong* e)
    {
        for (int m = 0; m < 4; m++)
        {
            ulong ql0 = Unsafe.ReadUnaligned<ulong>(block + RowQl + 64 * h + 8 * m);
            ulong ql1 = Unsafe.ReadUnaligned<ulong>(block + RowQl + 64 * h + 32 + 8 * m);
            ulong qh = Unsafe.ReadUnaligned<ulong>(block + RowQh + 32 * h + 8 * m);
            e[m] = (ql0 & Low4) | (qh << 4 & Bits45);
            e[4 + m] = (ql1 & Low4) | (qh << 2 & Bits45);
            e[8 + m] = (ql0 >> 4 & Low4) | (qh & Bits45);
            e[12 + m] = (ql1 >> 4 & Low4) | (qh >> 2 & Bits45);
        }
    }

    /// <summary>The inverse of <see cref="ReadLevels"/>: every bit of half <paramref name="h"/>'s ql and qh is written.</summary>
    private static void WriteLevels(ulong* e, int h, byte* block)
    {
        for (int m = 0; m < 4; m++)
        {
            ulong l0 = e[m], l1 = e[4 + m], l2 = e[8 + m], l3 = e[12 + m];
            Unsafe.WriteUnaligned(block + RowQl + 64 * h + 8 * m, (l0 & Low4) | (l2 & Low4) << 4);
            Unsafe.WriteUnaligned(block + RowQl + 64 * h + 32 + 8 * m, (l1 & Low4) | (l3 & Low4) << 4);
            Unsafe.WriteUnaligned(block + RowQh + 32 * h + 8 * m,
                (l0 >> 4 & Low2) | (l1 >> 4 & Low2) << 2 | (l2 >> 4 & Low2) << 4 | (l3 >> 4 & Low2) << 6);
        }
    }

    public override void DotTile(byte* packed, int groups, byte* x, int xStride, int tokens, int n, float* y, int yStride) =>
        PackedSuperBlocks.DotTile<Kernel>(packed, groups, x, xStride, tokens, n, y, yStride);

    private readonly struct Kernel : IPackedSuperKernel
    {
        public static int GroupBlockBytes => GroupBlock;

        /// <summary>
        /// The 16-bit scales of a pair of sub-blocks, each row's (even, odd) in its 32-bit lane, rows 0..7 in lane order.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<short> PairScales(byte* g, int p) => Avx2.ConvertToVector256Int16((sbyte*)g + OffScales + 16 * p);

        /// <summary>
        /// Per row, in row order, Σ_j sc_j·S_j over the sixteen sub-blocks, S_j the activation's sum over sub-block j;
        /// exact in 32 bits (|.| ≤ 16·128·2048).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<int> Offsets(byte* g, byte* a)
        {
            int* bs = (int*)(a + Q8Bsums);
            Vector256<int> off = Vector256<int>.Zero;
            for (int p = 0; p < 8; p++)
                off += Avx2.MultiplyAddAdjacent(PairScales(g, p), Vector256.Create(bs[p]).AsInt16());
            return off;
        }

        /// <summary>The levels of pieces E0..E3 of one vector triple (four rows), see the class summary.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Levels(byte* q, Vector256<byte> six, out Vector256<byte> e0, out Vector256<byte> e1, out Vector256<byte> e2, out Vector256<byte> e3)
        {
            Vector256<byte> x = Vector256.Load(q), y = Vector256.Load(q + 64), z = Vector256.Load(q + 128);
            e0 = x & six;
            e1 = y & six;
            e2 = z & six;
            // the top two bits of each byte, shifted down within their byte: no bits cross bytes
            e3 = PackedInt8.Shift(Avx2.AndNot(six, x), 6) | PackedInt8.Shift(Avx2.AndNot(six, y), 4) | PackedInt8.Shift(Avx2.AndNot(six, z), 2);
        }

        /// <summary>
        /// Row i's finished sum over the super-block: Σ sc·Σ(q − 32)·a exactly in 32 bits, then one fused add of
        /// d_i·d_a times it, the same operations whether the row came through <see cref="Dot1"/> or <see cref="Dot2"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Finish(Vector256<float> acc, Vector256<int> accA, Vector256<int> accB, Vector256<int> off, Vector256<float> d, byte* a) =>
            Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(Avx2.HorizontalAdd(accA, accB) - Vector256.ShiftLeft(off, 5)),
                d * Vector256.Create(*(float*)a), acc);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Dot1(byte* g, byte* a, int blocks, float* y)
        {
            // rows (0, 1 | 4, 5) and (2, 3 | 6, 7): each row's 32-bit scale lane spread over its four 16-bit sum lanes
            Vector256<byte> spreadA = Vector256.Create(
                (byte)0, 1, 0, 1, 0, 1, 0, 1, 4, 5, 4, 5, 4, 5, 4, 5, 0, 1, 0, 1, 0, 1, 0, 1, 4, 5, 4, 5, 4, 5, 4, 5);
            Vector256<byte> spreadB = Vector256.Create(
                (byte)8, 9, 8, 9, 8, 9, 8, 9, 12, 13, 12, 13, 12, 13, 12, 13, 8, 9, 8, 9, 8, 9, 8, 9, 12, 13, 12, 13, 12, 13, 12, 13);
            var six = Vector256.Create((byte)63);
            Vector256<float> acc = Vector256<float>.Zero;
            for (int b = 0; b < blocks; b++, g += GroupBlock, a += PackedSuperBlocks.ActivationBytes)
            {
                PackedInt8.Prefetch(g, (GroupBlock + 63) / 64);
                Vector256<int> accA = Vector256<int>.Zero, accB = Vector256<int>.Zero;
                for (int p = 0; p < 8; p++)
                {
                    Vector256<byte> sc = PairScales(g, p).AsByte();
                    Vector256<byte> scOdd = Avx2.ShiftRightArithmetic(sc.AsInt32(), 16).AsByte();
                    byte* ap = a + Q8Qs + 32 * p;
                    for (int half = 0; half < 2; half++)
                    {
                        Levels(g + OffQs + 192 * p + 32 * half, six, out var e0, out var e1, out var e2, out var e3);
                        Vector256<short> s0 = Avx2.MultiplyAddAdjacent(e0, PackedInt8.Broadcast8(ap)) + Avx2.MultiplyAddAdjacent(e1, PackedInt8.Broadcast8(ap + 8));
                        Vector256<short> s1 = Avx2.MultiplyAddAdjacent(e2, PackedInt8.Broadcast8(ap + 16)) + Avx2.MultiplyAddAdjacent(e3, PackedInt8.Broadcast8(ap + 24));
                        Vector256<byte> spread = half == 0 ? spreadA : spreadB;
                        Vector256<int> v = Avx2.MultiplyAddAdjacent(s0, Avx2.Shuffle(sc, spread).AsInt16()) + Avx2.MultiplyAddAdjacent(s1, Avx2.Shuffle(scOdd, spread).AsInt16());
                        if (half == 0) accA += v;
                        else accB += v;
                    }
                }
                acc = Finish(acc, accA, accB, Offsets(g, a), PackedInt8.Scales(g), a);
            }
            acc.Store(y);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Dot2(byte* g, byte* a0, byte* a1, int blocks, float* y0, float* y1)
        {
            Vector256<byte> spreadA = Vector256.Create(
                (byte)0, 1, 0, 1, 0, 1, 0, 1, 4, 5, 4, 5, 4, 5, 4, 5, 0, 1, 0, 1, 0, 1, 0, 1, 4, 5, 4, 5, 4, 5, 4, 5);
            Vector256<byte> spreadB = Vector256.Create(
                (byte)8, 9, 8, 9, 8, 9, 8, 9, 12, 13, 12, 13, 12, 13, 12, 13, 8, 9, 8, 9, 8, 9, 8, 9, 12, 13, 12, 13, 12, 13, 12, 13);
            var six = Vector256.Create((byte)63);
            Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
            for (int b = 0; b < blocks; b++, g += GroupBlock, a0 += PackedSuperBlocks.ActivationBytes, a1 += PackedSuperBlocks.ActivationBytes)
            {
                PackedInt8.Prefetch(g, (GroupBlock + 63) / 64);
                // the rows (0, 1 | 4, 5) over the whole super-block, then the rows (2, 3 | 6, 7): fewer live registers
                Vector256<int> accA0 = Vector256<int>.Zero, accA1 = Vector256<int>.Zero, accB0 = Vector256<int>.Zero, accB1 = Vector256<int>.Zero;
                for (int half = 0; half < 2; half++)
                {
                    Vector256<byte> spread = half == 0 ? spreadA : spreadB;
                    Vector256<int> s0 = Vector256<int>.Zero, s1 = Vector256<int>.Zero;
                    for (int p = 0; p < 8; p++)
                    {
                        byte* p0 = a0 + Q8Qs + 32 * p, p1 = a1 + Q8Qs + 32 * p;
                        Levels(g + OffQs + 192 * p + 32 * half, six, out var e0, out var e1, out var e2, out var e3);
                        Vector256<short> t00 = Avx2.MultiplyAddAdjacent(e0, PackedInt8.Broadcast8(p0)) + Avx2.MultiplyAddAdjacent(e1, PackedInt8.Broadcast8(p0 + 8));
                        Vector256<short> t10 = Avx2.MultiplyAddAdjacent(e0, PackedInt8.Broadcast8(p1)) + Avx2.MultiplyAddAdjacent(e1, PackedInt8.Broadcast8(p1 + 8));
                        Vector256<short> t01 = Avx2.MultiplyAddAdjacent(e2, PackedInt8.Broadcast8(p0 + 16)) + Avx2.MultiplyAddAdjacent(e3, PackedInt8.Broadcast8(p0 + 24));
                        Vector256<short> t11 = Avx2.MultiplyAddAdjacent(e2, PackedInt8.Broadcast8(p1 + 16)) + Avx2.MultiplyAddAdjacent(e3, PackedInt8.Broadcast8(p1 + 24));
                        Vector256<byte> sc = PairScales(g, p).AsByte();
                        Vector256<short> sc0 = Avx2.Shuffle(sc, spread).AsInt16();
                        Vector256<short> sc1 = Avx2.Shuffle(Avx2.ShiftRightArithmetic(sc.AsInt32(), 16).AsByte(), spread).AsInt16();
                        s0 += Avx2.MultiplyAddAdjacent(t00, sc0) + Avx2.MultiplyAddAdjacent(t01, sc1);
                        s1 += Avx2.MultiplyAddAdjacent(t10, sc0) + Avx2.MultiplyAddAdjacent(t11, sc1);
                    }
                    if (half == 0) { accA0 = s0; accA1 = s1; }
                    else { accB0 = s0; accB1 = s1; }
                }
                Vector256<float> d = PackedInt8.Scales(g);
                acc0 = Finish(acc0, accA0, accB0, Offsets(g, a0), d, a0);
                acc1 = Finish(acc1, accA1, accB1, Offsets(g, a1), d, a1);
            }
            acc0.Store(y0);
            acc1.Store(y1);
        }
    }
}
