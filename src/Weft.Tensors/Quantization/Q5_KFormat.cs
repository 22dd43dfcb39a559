// Q5_K: 256-element super-blocks of 8 sub-blocks of 32, x = d·sc·q − dmin·m with 5-bit q and 6-bit sc, m.
// Block (176 bytes): half d, half dmin, scales[12] (as Q4_K), qh[32] (5th bits), qs[128] (low 4 bits as Q4_K).
// The 5th bit of element e is bit e/32 of qh[e%32].
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Weft.Tensors.Quantization.KQuantMath;

namespace Weft.Tensors.Quantization;

public sealed class Q5_KFormat : QuantFormat
{
    private const int BlockLen = 176;
    private const int OffD = 0, OffDmin = 2, OffScales = 4, OffQh = 16, OffQs = 48;

    public override GgmlType Type => GgmlType.Q5_K;
    public override GgmlType DotType => GgmlType.Q8_K;

    private static int QuantAt(ReadOnlySpan<byte> block, int e)
    {
        int low = (block[OffQs + 32 * (e / 64) + e % 32] >> (4 * (e % 64 / 32))) & 0xF;
        int high = (block[OffQh + e % 32] >> (e / 32)) & 1;
        return low | (high << 4);
    }

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = KQuantSimd.CheckRow(dst.Length, src.Length, BlockLen);
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BlockLen, BlockLen);
            float d = Half(b, OffD), dmin = Half(b, OffDmin);
            for (int e = 0; e < QK; e++)
            {
                GetScaleMinK4(e / 32, b.Slice(OffScales, 12), out int sc, out int m);
                float dl = d * sc, ml = dmin * m;
                dst[i * QK + e] = dl * QuantAt(b, e) - ml;
            }
        }
    }

    public override void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = KQuantSimd.CheckRow(src.Length, dst.Length, BlockLen);
        Span<byte> L = stackalloc byte[QK];
        for (int i = 0; i < nb; i++)
        {
            var y = dst.Slice(i * BlockLen, BlockLen);
            QuantizeScaleMinBlock(src.Slice(i * QK, QK), 31, -0.5f, 15, y, L);
            var qh = y.Slice(OffQh, 32);
            qh.Clear();
            for (int e = 0; e < QK; e++)
                if (L[e] > 15) qh[e % 32] |= (byte)(1 << (e / 32));
            for (int j = 0; j < QK; j += 64)
                for (int l = 0; l < 32; l++)
                    y[OffQs + j / 2 + l] = (byte)((L[j + l] & 0xF) | ((L[j + l + 32] & 0xF) << 4));
        }
    }

    public override float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        int nb = KQuantSimd.CheckDot(weights, BlockLen, activations, n);
        float sum = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weights.Slice(i * BlockLen, BlockLen);
            var y = activations.Slice(i * Q8Bytes, Q8Bytes);
            int isum = 0, sumMins = 0;
            for (int j = 0; j < 8; j++)
            {
                GetScaleMinK4(j, x.Slice(OffScales, 12), out int sc, out int m);
                sumMins += m * (Q8BlockSum(y, 2 * j) + Q8BlockSum(y, 2 * j + 1));
                int s = 0;
                for (int l = 0; l < 32; l++) s += Q8Quant(y, 32 * j + l) * QuantAt(x, 32 * j + l);
                isum += sc * s;
            }
            float yd = Q8Scale(y);
            sum += Half(x, OffD) * yd * isum - Half(x, OffDmin) * yd * sumMins;
        }
        return sum;
    }

    public override void Quantize(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeReference(src, dst);

    public override unsafe void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            DequantizeReference(src, dst);
            return;
        }
        int nb = KQuantSimd.CheckRow(dst.Length, src.Length, BlockLen);
        byte* sm = stackalloc byte[16];
        fixed (byte* s0 = src)
        fixed (float* d0 = dst)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* b = s0 + i * BlockLen;
                float* y = d0 + i * QK;
                float d = Half(b + OffD), dmin = Half(b + OffDmin);
                UnpackScaleMinK4(b + OffScales, sm);
                var qh = Vector256.Load(b + OffQh);
                for (int k = 0; k < 4; k++)
                {
                    var q = Vector256.Load(b + OffQs + 32 * k);
                    var lo = (q & Vector256.Create((byte)0xF)) | KQuantSimd.BitSelect(qh, 2 * k, 16);
                    var hi = KQuantSimd.ShiftMask(q, 4, 0xF) | KQuantSimd.BitSelect(qh, 2 * k + 1, 16);
                    float dl0 = d * sm[2 * k], ml0 = dmin * sm[8 + 2 * k];
                    float dl1 = d * sm[2 * k + 1], ml1 = dmin * sm[8 + 2 * k + 1];
                    KQuantSimd.Emit32(lo.AsSByte(), dl0, ml0, dl0, ml0, y + 64 * k);
                    KQuantSimd.Emit32(hi.AsSByte(), dl1, ml1, dl1, ml1, y + 64 * k + 32);
                }
            }
        }
    }

    public override float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n) =>
        Avx2.IsSupported ? DotAvx2(weights, activations, n) : DotReference(weights, activations, n);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float DotAvx2(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        int nb = KQuantSimd.CheckDot(weights, BlockLen, activations, n);
        var acc = Vector256<float>.Zero;
        var accMin = Vector256<float>.Zero;
        var low4 = Vector256.Create((byte)0xF);
        byte* sm = stackalloc byte[16];
        fixed (byte* w0 = weights)
        fixed (byte* a0 = activations)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = w0 + i * BlockLen;
                byte* y = a0 + i * Q8Bytes;
                float yd = *(float*)y;
                float d = yd * Half(x + OffD), dmin = yd * Half(x + OffDmin);
                UnpackScaleMinK4(x + OffScales, sm);

                var mins = Ssse3.Shuffle(Vector128.Load(sm + 8), KQuantSimd.DoubleMask);
                var sumMins = Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(mins), Vector256.Load((short*)(y + Q8Bsums)));
                accMin += Vector256.Create(dmin) * Vector256.ConvertToSingle(sumMins);

                var qh = Vector256.Load(x + OffQh);
                var sumi = Vector256<int>.Zero;
                for (int k = 0; k < 4; k++)
                {
                    var q5 = Vector256.Load(x + OffQs + 32 * k);
                    var lo = (q5 & low4) | KQuantSimd.BitSelect(qh, 2 * k, 16);
                    var hi = KQuantSimd.ShiftMask(q5, 4, 0xF) | KQuantSimd.BitSelect(qh, 2 * k + 1, 16);
                    sbyte* q8 = (sbyte*)y + Q8Qs + 64 * k;
                    var p0 = Avx2.MultiplyAddAdjacent(lo, Vector256.Load(q8));
                    var p1 = Avx2.MultiplyAddAdjacent(hi, Vector256.Load(q8 + 32));
                    sumi += Avx2.MultiplyAddAdjacent(p0, Vector256.Create((short)sm[2 * k]));
                    sumi += Avx2.MultiplyAddAdjacent(p1, Vector256.Create((short)sm[2 * k + 1]));
                }
                acc += Vector256.Create(d) * Vector256.ConvertToSingle(sumi);
            }
        }
        return Vector256.Sum(acc) - Vector256.Sum(accMin);
    }
}
