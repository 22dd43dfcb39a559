// Q4_0 rows packed eight at a time: per block the eight fp16 scales (16 bytes), then 128 bytes of nibbles.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Weft.Tensors.Quantization.Packed;

/// <summary>
/// A packed block: scales d[0..7], then the 16 quant bytes of each row cut into two 8-byte pieces placed by
/// <see cref="PackedInt8.PieceOffset"/>. One 32-byte load of piece 0 holds, in its low nibbles, elements 0..7 of
/// four rows and, in its high nibbles, their elements 16..23; piece 1 holds elements 8..15 and 24..31. The stored
/// quants stay unsigned (q, not q − 8) and meet the activations in the unsigned-by-signed multiply directly; the
/// offset comes off once per block as 8·Σq_a.
/// </summary>
public sealed unsafe class Q4_0Packing : RowPacking
{
    public static readonly Q4_0Packing Instance = new();

    private const int GroupBlock = 8 * 18; // eight rows' blocks

    public override GgmlType Type => GgmlType.Q4_0;

    public override bool Pack(byte* src, long srcStride, int n, byte* dst) => PackedInt8.PackBlocks(src, srcStride, n, dst, 2);

    public override void Unpack(byte* group, int row, int n, byte* dst) => PackedInt8.UnpackBlocks(group, row, n, dst, 2);

    public override void DotTile(byte* packed, int groups, byte* x, int xStride, int tokens, int n, float* y, int yStride) =>
        PackedInt8.DotTile<Kernel>(packed, groups, x, xStride, tokens, n, y, yStride);

    private readonly struct Kernel : IPackedKernel
    {
        public static int GroupBlockBytes => GroupBlock;
        public static int Offset => 8;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Dot1(byte* g, byte* xq, int blocks, float* xs, int* xsum, float* y, bool first)
        {
            var mask = Vector256.Create((byte)0x0F);
            var ones = Vector256.Create((short)1);
            Vector256<float> acc = first ? Vector256<float>.Zero : Vector256.Load(y);
            for (int b = 0; b < blocks; b++, g += GroupBlock, xq += 34)
            {
                PackedInt8.Prefetch(g, 3);
                Vector256<sbyte> a0 = PackedInt8.Broadcast8(xq), a1 = PackedInt8.Broadcast8(xq + 8);
                Vector256<sbyte> a2 = PackedInt8.Broadcast8(xq + 16), a3 = PackedInt8.Broadcast8(xq + 24);
                Vector256<byte> c0 = Vector256.Load(g + 16), c1 = Vector256.Load(g + 48);
                Vector256<byte> c2 = Vector256.Load(g + 80), c3 = Vector256.Load(g + 112);
                Vector256<short> sA = Avx2.MultiplyAddAdjacent(c0 & mask, a0) + Avx2.MultiplyAddAdjacent(PackedInt8.High(c0) & mask, a2)
                                    + Avx2.MultiplyAddAdjacent(c2 & mask, a1) + Avx2.MultiplyAddAdjacent(PackedInt8.High(c2) & mask, a3);
                Vector256<short> sB = Avx2.MultiplyAddAdjacent(c1 & mask, a0) + Avx2.MultiplyAddAdjacent(PackedInt8.High(c1) & mask, a2)
                                    + Avx2.MultiplyAddAdjacent(c3 & mask, a1) + Avx2.MultiplyAddAdjacent(PackedInt8.High(c3) & mask, a3);
                Vector256<int> sum = Avx2.HorizontalAdd(Avx2.MultiplyAddAdjacent(sA, ones), Avx2.MultiplyAddAdjacent(sB, ones))
                                     + Vector256.Create(xsum[b]);
                acc = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(sum), PackedInt8.ScalesTimes2Pow112(g) * Vector256.Create(xs[b]), acc);
            }
            acc.Store(y);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Dot2(byte* g, byte* xq0, byte* xq1, int blocks, float* xs0, int* xsum0, float* xs1, int* xsum1,
            float* y0, float* y1, bool first)
        {
            var mask = Vector256.Create((byte)0x0F);
            var ones = Vector256.Create((short)1);
            Vector256<float> acc0 = first ? Vector256<float>.Zero : Vector256.Load(y0);
            Vector256<float> acc1 = first ? Vector256<float>.Zero : Vector256.Load(y1);
            for (int b = 0; b < blocks; b++, g += GroupBlock, xq0 += 34, xq1 += 34)
            {
                PackedInt8.Prefetch(g, 3);
                Vector256<byte> c0 = Vector256.Load(g + 16), c2 = Vector256.Load(g + 80);
                Vector256<byte> l0 = c0 & mask, h0 = PackedInt8.High(c0) & mask, l2 = c2 & mask, h2 = PackedInt8.High(c2) & mask;
                Vector256<short> sA0 = Avx2.MultiplyAddAdjacent(l0, PackedInt8.Broadcast8(xq0)) + Avx2.MultiplyAddAdjacent(h0, PackedInt8.Broadcast8(xq0 + 16))
                                     + Avx2.MultiplyAddAdjacent(l2, PackedInt8.Broadcast8(xq0 + 8)) + Avx2.MultiplyAddAdjacent(h2, PackedInt8.Broadcast8(xq0 + 24));
                Vector256<short> sA1 = Avx2.MultiplyAddAdjacent(l0, PackedInt8.Broadcast8(xq1)) + Avx2.MultiplyAddAdjacent(h0, PackedInt8.Broadcast8(xq1 + 16))
                                     + Avx2.MultiplyAddAdjacent(l2, PackedInt8.Broadcast8(xq1 + 8)) + Avx2.MultiplyAddAdjacent(h2, PackedInt8.Broadcast8(xq1 + 24));
                Vector256<byte> c1 = Vector256.Load(g + 48), c3 = Vector256.Load(g + 112);
                l0 = c1 & mask; h0 = PackedInt8.High(c1) & mask; l2 = c3 & mask; h2 = PackedInt8.High(c3) & mask;
                Vector256<short> sB0 = Avx2.MultiplyAddAdjacent(l0, PackedInt8.Broadcast8(xq0)) + Avx2.MultiplyAddAdjacent(h0, PackedInt8.Broadcast8(xq0 + 16))
                                     + Avx2.MultiplyAddAdjacent(l2, PackedInt8.Broadcast8(xq0 + 8)) + Avx2.MultiplyAddAdjacent(h2, PackedInt8.Broadcast8(xq0 + 24));
                Vector256<short> sB1 = Avx2.MultiplyAddAdjacent(l0, PackedInt8.Broadcast8(xq1)) + Avx2.MultiplyAddAdjacent(h0, PackedInt8.Broadcast8(xq1 + 16))
                                     + Avx2.MultiplyAddAdjacent(l2, PackedInt8.Broadcast8(xq1 + 8)) + Avx2.MultiplyAddAdjacent(h2, PackedInt8.Broadcast8(xq1 + 24));
                Vector256<float> dw = PackedInt8.ScalesTimes2Pow112(g);
                Vector256<int> sum0 = Avx2.HorizontalAdd(Avx2.MultiplyAddAdjacent(sA0, ones), Avx2.MultiplyAddAdjacent(sB0, ones)) + Vector256.Create(xsum0[b]);
                acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(sum0), dw * Vector256.Create(xs0[b]), acc0);
                Vector256<int> sum1 = Avx2.HorizontalAdd(Avx2.MultiplyAddAdjacent(sA1, ones), Avx2.MultiplyAddAdjacent(sB1, ones)) + Vector256.Create(xsum1[b]);
                acc1 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(sum1), dw * Vector256.Create(xs1[b]), acc1);
            }
            acc0.Store(y0);
            acc1.Store(y1);
        }
    }
}
