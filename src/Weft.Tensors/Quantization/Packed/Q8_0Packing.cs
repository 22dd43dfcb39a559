// Q8_0 rows packed eight at a time: per block the eight fp16 scales (16 bytes), then 256 bytes of quants.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Weft.Tensors.Quantization.Packed;

/// <summary>
/// A packed block: scales d[0..7], then the 32 quant bytes of each row cut into four 8-byte pieces placed by
/// <see cref="PackedInt8.PieceOffset"/>: one 32-byte load holds elements 8k..8k+7 of four rows. Signed quants meet
/// the activations through the sign trick (|q| times the activation with q's sign).
/// </summary>
public sealed unsafe class Q8_0Packing : RowPacking
{
    public static readonly Q8_0Packing Instance = new();

    private const int GroupBlock = 8 * 34; // eight rows' blocks

    public override GgmlType Type => GgmlType.Q8_0;

    public override bool Pack(byte* src, long srcStride, int n, byte* dst) => PackedInt8.PackBlocks(src, srcStride, n, dst, 4);

    public override void Unpack(byte* group, int row, int n, byte* dst) => PackedInt8.UnpackBlocks(group, row, n, dst, 4);

    public override void DotTile(byte* packed, int groups, byte* x, int xStride, int tokens, int n, float* y, int yStride) =>
        PackedInt8.DotTile<Kernel>(packed, groups, x, xStride, tokens, n, y, yStride);

    private readonly struct Kernel : IPackedKernel
    {
        public static int GroupBlockBytes => GroupBlock;
        public static int Offset => 0;

        /// <summary>Σ over four rows' 8-byte pieces: |q|·(a with q's sign), pairs then quads summed into 32-bit lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<int> Piece(Vector256<sbyte> q, Vector256<sbyte> a) =>
            Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx2.Abs(q), Avx2.Sign(a, q)), Vector256.Create((short)1));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Dot1(byte* g, byte* xq, int blocks, float* xs, int* xsum, float* y, bool first)
        {
            Vector256<float> acc = first ? Vector256<float>.Zero : Vector256.Load(y);
            for (int b = 0; b < blocks; b++, g += GroupBlock, xq += 34)
            {
                PackedInt8.Prefetch(g, 5);
                Vector256<sbyte> a0 = PackedInt8.Broadcast8(xq), a1 = PackedInt8.Broadcast8(xq + 8);
                Vector256<sbyte> a2 = PackedInt8.Broadcast8(xq + 16), a3 = PackedInt8.Broadcast8(xq + 24);
                Vector256<int> sA = Piece(Vector256.Load((sbyte*)(g + 16)), a0) + Piece(Vector256.Load((sbyte*)(g + 80)), a1)
                                  + Piece(Vector256.Load((sbyte*)(g + 144)), a2) + Piece(Vector256.Load((sbyte*)(g + 208)), a3);
                Vector256<int> sB = Piece(Vector256.Load((sbyte*)(g + 48)), a0) + Piece(Vector256.Load((sbyte*)(g + 112)), a1)
                                  + Piece(Vector256.Load((sbyte*)(g + 176)), a2) + Piece(Vector256.Load((sbyte*)(g + 240)), a3);
                Vector256<int> sum = Avx2.HorizontalAdd(sA, sB);
                acc = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(sum), PackedInt8.ScalesTimes2Pow112(g) * Vector256.Create(xs[b]), acc);
            }
            acc.Store(y);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Dot2(byte* g, byte* xq0, byte* xq1, int blocks, float* xs0, int* xsum0, float* xs1, int* xsum1,
            float* y0, float* y1, bool first)
        {
            Vector256<float> acc0 = first ? Vector256<float>.Zero : Vector256.Load(y0);
            Vector256<float> acc1 = first ? Vector256<float>.Zero : Vector256.Load(y1);
            for (int b = 0; b < blocks; b++, g += GroupBlock, xq0 += 34, xq1 += 34)
            {
                PackedInt8.Prefetch(g, 5);
                Vector256<int> sA0 = Vector256<int>.Zero, sB0 = Vector256<int>.Zero, sA1 = Vector256<int>.Zero, sB1 = Vector256<int>.Zero;
                for (int k = 0; k < 4; k++)
                {
                    Vector256<sbyte> qA = Vector256.Load((sbyte*)(g + 16 + 64 * k)), qB = Vector256.Load((sbyte*)(g + 48 + 64 * k));
                    Vector256<sbyte> a0 = PackedInt8.Broadcast8(xq0 + 8 * k), a1 = PackedInt8.Broadcast8(xq1 + 8 * k);
                    sA0 += Piece(qA, a0);
                    sB0 += Piece(qB, a0);
                    sA1 += Piece(qA, a1);
                    sB1 += Piece(qB, a1);
                }
                Vector256<float> dw = PackedInt8.ScalesTimes2Pow112(g);
                acc0 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(Avx2.HorizontalAdd(sA0, sB0)), dw * Vector256.Create(xs0[b]), acc0);
                acc1 = Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(Avx2.HorizontalAdd(sA1, sB1)), dw * Vector256.Create(xs1[b]), acc1);
            }
            acc0.Store(y0);
            acc1.Store(y1);
        }
    }
}
