// Q2_K: 256-element super-blocks of 16 sub-blocks of 16, x = d·sc·q − dmin·m with 2-bit q and 4-bit sc, m.
// Block (84 bytes): scales[16] (low nibble sc, high nibble m), qs[64] (2-bit quants), half d, half dmin.
// Quant of element e: qs[32·(e/128) + e%32] >> 2·((e%128)/32) & 3; sub-block e/16.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Weft.Tensors.Quantization.KQuantMath;

namespace Weft.Tensors.Quantization;

public sealed class Q2_KFormat : QuantFormat
{
    private const int BlockLen = 84;
    private const int OffScales = 0, OffQs = 16, OffD = 80, OffDmin = 82;

    public override GgmlType Type => GgmlType.Q2_K;
    public override GgmlType DotType => GgmlType.Q8_K;

    private static int QuantAt(ReadOnlySpan<byte> block, int e) =>
        (block[OffQs + 32 * (e / 128) + e % 32] >> (2 * (e % 128 / 32))) & 3;

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = KQuantSimd.CheckRow(dst.Length, src.Length, BlockLen);
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BlockLen, BlockLen);
            float d = Half(b, OffD), dmin = Half(b, OffDmin);
            for (int e = 0; e < QK; e++)
            {
                int sc = b[OffScales + e / 16];
                float dl = d * (sc & 0xF), ml = dmin * (sc >> 4);
                dst[i * QK + e] = dl * QuantAt(b, e) - ml;
            }
        }
    }

    public override void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = KQuantSimd.CheckRow(src.Length, dst.Length, BlockLen);
        Span<byte> L = stackalloc byte[QK];
        Span<byte> laux = stackalloc byte[16];
        Span<float> weights = stackalloc float[16];
        Span<float> mins = stackalloc float[16];
        Span<float> scales = stackalloc float[16];
        const float Q4Scale = 15f;
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * QK, QK);
            var y = dst.Slice(i * BlockLen, BlockLen);
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 16; j++)
            {
                for (int l = 0; l < 16; l++) weights[l] = MathF.Abs(x[16 * j + l]);
                scales[j] = MakeQkx2Quants(16, 3, x.Slice(16 * j, 16), weights, L.Slice(16 * j, 16), out mins[j], laux, -0.5f, 0.1f, 15, true);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }

            if (maxScale > 0)
            {
                float iscale = Q4Scale / maxScale;
                for (int j = 0; j < 16; j++) y[OffScales + j] = unchecked((byte)NearestInt(iscale * scales[j]));
                WriteHalf(y, OffD, maxScale / Q4Scale);
            }
            else
            {
                y.Slice(OffScales, 16).Clear();
                WriteHalf(y, OffD, 0f);
            }
            if (maxMin > 0)
            {
                float iscale = Q4Scale / maxMin;
                for (int j = 0; j < 16; j++) y[OffScales + j] |= unchecked((byte)(NearestInt(iscale * mins[j]) << 4));
                WriteHalf(y, OffDmin, maxMin / Q4Scale);
            }
            else
            {
                WriteHalf(y, OffDmin, 0f);
            }

            float dAll = Half(y, OffD), dMin = Half(y, OffDmin);
            for (int j = 0; j < 16; j++)
            {
                float d = dAll * (y[OffScales + j] & 0xF);
                if (d == 0) continue;
                float dm = dMin * (y[OffScales + j] >> 4);
                for (int ii = 0; ii < 16; ii++)
                {
                    int l = NearestInt((x[16 * j + ii] + dm) / d);
                    L[16 * j + ii] = (byte)Math.Max(0, Math.Min(3, l));
                }
            }

            for (int j = 0; j < QK; j += 128)
                for (int l = 0; l < 32; l++)
                    y[OffQs + j / 4 + l] = (byte)(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
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
            int sumMins = 0;
            for (int j = 0; j < 16; j++) sumMins += Q8BlockSum(y, j) * (x[OffScales + j] >> 4);
            int isum = 0;
            for (int j = 0; j < 16; j++)
            {
                int s = 0;
                for (int l = 0; l < 16; l++) s += Q8Quant(y, 16 * j + l) * QuantAt(x, 16 * j + l);
                isum += (x[OffScales + j] & 0xF) * s;
            }
            float yd = Q8Scale(y);
            float dAll = yd * Half(x, OffD), dMin = yd * Half(x, OffDmin);
            sum += dAll * isum - dMin * sumMins;
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
        fixed (byte* s0 = src)
        fixed (float* d0 = dst)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* b = s0 + i * BlockLen;
                float* y = d0 + i * QK;
                float d = Half(b + OffD), dmin = Half(b + OffDmin);
                for (int half = 0; half < 2; half++)
                {
                    var q = Vector256.Load(b + OffQs + 32 * half);
                    for (int j = 0; j < 4; j++)
                    {
                        int sb = 8 * half + 2 * j;
                        int sc0 = b[OffScales + sb], sc1 = b[OffScales + sb + 1];
                        KQuantSimd.Emit32(KQuantSimd.ShiftMask(q, 2 * j, 3).AsSByte(),
                            d * (sc0 & 0xF), dmin * (sc0 >> 4), d * (sc1 & 0xF), dmin * (sc1 >> 4), y + 16 * sb);
                    }
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
        var low4 = Vector128.Create((byte)0x0F);
        fixed (byte* w0 = weights)
        fixed (byte* a0 = activations)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = w0 + i * BlockLen;
                byte* y = a0 + i * Q8Bytes;
                float yd = *(float*)y;
                float dAll = yd * Half(x + OffD), dMin = yd * Half(x + OffDmin);

                var scales = Vector128.Load(x + OffScales);
                var mins16 = Avx2.ConvertToVector256Int16(Vector128.ShiftRightLogical(scales.AsUInt16(), 4).AsByte() & low4);
                var bsums = Vector256.Load((short*)(y + Q8Bsums));
                var sumMins = Avx2.MultiplyAddAdjacent(mins16, bsums);
                accMin += Vector256.Create(dMin) * Vector256.ConvertToSingle(sumMins);

                var sc = scales & low4;
                var sumi = Vector256<int>.Zero;
                for (int half = 0; half < 2; half++)
                {
                    var q2 = Vector256.Load(x + OffQs + 32 * half);
                    byte* q8 = y + Q8Qs + 128 * half;
                    for (int j = 0; j < 4; j++)
                    {
                        var q = KQuantSimd.ShiftMask(q2, 2 * j, 3);
                        var p = Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)q8 + 32 * j));
                        var s = Avx2.ConvertToVector256Int16(Ssse3.Shuffle(sc, KQuantSimd.PairMask(4 * half + j)));
                        sumi += Avx2.MultiplyAddAdjacent(p, s);
                    }
                }
                acc += Vector256.Create(dAll) * Vector256.ConvertToSingle(sumi);
            }
        }
        return Vector256.Sum(acc) - Vector256.Sum(accMin);
    }
}
