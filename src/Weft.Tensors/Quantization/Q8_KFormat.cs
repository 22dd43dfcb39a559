// Q8_K: the activation format of the K-quant dot products. 256-element blocks (292 bytes): float d, int8 qs[256],
// int16 bsums[16] (the sum of each group of 16 quants, used to apply the K-quant mins and offsets). x = d·q.
// Quantization: d = max/−127 where max is the first element of largest magnitude, q = round(x/d) capped at 127.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Weft.Tensors.Quantization.KQuantMath;

namespace Weft.Tensors.Quantization;

public sealed class Q8_KFormat : QuantFormat
{
    private const int BlockLen = Q8Bytes;

    public override GgmlType Type => GgmlType.Q8_K;
    public override GgmlType DotType => GgmlType.Q8_K;

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = KQuantSimd.CheckRow(dst.Length, src.Length, BlockLen);
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BlockLen, BlockLen);
            float d = Q8Scale(b);
            for (int e = 0; e < QK; e++) dst[i * QK + e] = d * Q8Quant(b, e);
        }
    }

    public override void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = KQuantSimd.CheckRow(src.Length, dst.Length, BlockLen);
        for (int i = 0; i < nb; i++) QuantizeBlockReference(src.Slice(i * QK, QK), dst.Slice(i * BlockLen, BlockLen));
    }

    private static void QuantizeBlockReference(ReadOnlySpan<float> x, Span<byte> y)
    {
        float max = 0, amax = 0;
        for (int j = 0; j < QK; j++)
        {
            float ax = MathF.Abs(x[j]);
            if (ax > amax) { amax = ax; max = x[j]; }
        }
        if (amax == 0)
        {
            y.Clear();
            return;
        }
        float iscale = -127f / max;
        for (int j = 0; j < QK; j++) y[Q8Qs + j] = unchecked((byte)Math.Min(127, NearestInt(iscale * x[j])));
        for (int g = 0; g < 16; g++)
        {
            int sum = 0;
            for (int l = 0; l < 16; l++) sum += unchecked((sbyte)y[Q8Qs + 16 * g + l]);
            BinaryPrimitives.WriteInt16LittleEndian(y[(Q8Bsums + 2 * g)..], (short)sum);
        }
        BinaryPrimitives.WriteSingleLittleEndian(y, 1 / iscale);
    }

    public override float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        int nb = KQuantSimd.CheckDot(weights, BlockLen, activations, n);
        float sum = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weights.Slice(i * BlockLen, BlockLen);
            var y = activations.Slice(i * BlockLen, BlockLen);
            int isum = 0;
            for (int e = 0; e < QK; e++) isum += Q8Quant(x, e) * Q8Quant(y, e);
            sum += Q8Scale(x) * Q8Scale(y) * isum;
        }
        return sum;
    }

    public override unsafe void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            QuantizeReference(src, dst);
            return;
        }
        int nb = KQuantSimd.CheckRow(src.Length, dst.Length, BlockLen);
        fixed (float* s0 = src)
        fixed (byte* d0 = dst)
        {
            for (int i = 0; i < nb; i++)
            {
                float* x = s0 + i * QK;
                byte* y = d0 + i * BlockLen;
                var vmax = Vector256<float>.Zero;
                for (int j = 0; j < QK; j += 8) vmax = Vector256.Max(vmax, Vector256.Abs(Vector256.Load(x + j)));
                float amax = MaxAcross(vmax);
                float max = 0;
                for (int j = 0; j < QK; j++)
                {
                    if (MathF.Abs(x[j]) == amax) { max = x[j]; break; }
                }
                float iscale = -127f / max;
                if (amax == 0 || !float.IsFinite(amax) || !float.IsFinite(iscale))
                {
                    // Zero, infinite or NaN input, or a scale that overflows: the reference handles these.
                    QuantizeBlockReference(new ReadOnlySpan<float>(x, QK), new Span<byte>(y, BlockLen));
                    continue;
                }
                var vs = Vector256.Create(iscale);
                var cap = Vector256.Create(127);
                short* bsums = (short*)(y + Q8Bsums);
                for (int g = 0; g < 16; g += 2)
                {
                    // |iscale·x| ≤ 127 here, so round-to-even then convert equals the reference rounding.
                    float* xg = x + 16 * g;
                    var a = Vector256.Min(Vector256.ConvertToInt32(Vector256.Round(vs * Vector256.Load(xg))), cap);
                    var b = Vector256.Min(Vector256.ConvertToInt32(Vector256.Round(vs * Vector256.Load(xg + 8))), cap);
                    var c = Vector256.Min(Vector256.ConvertToInt32(Vector256.Round(vs * Vector256.Load(xg + 16))), cap);
                    var d = Vector256.Min(Vector256.ConvertToInt32(Vector256.Round(vs * Vector256.Load(xg + 24))), cap);
                    bsums[g] = (short)Vector256.Sum(a + b);
                    bsums[g + 1] = (short)Vector256.Sum(c + d);
                    Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(c, d)).Store((sbyte*)y + Q8Qs + 16 * g);
                }
                *(float*)y = 1 / iscale;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MaxAcross(Vector256<float> v)
    {
        var m = Vector128.Max(v.GetLower(), v.GetUpper());
        float r = m[0];
        for (int k = 1; k < 4; k++) r = MathF.Max(r, m[k]);
        return r;
    }

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
                float d = *(float*)b;
                for (int k = 0; k < QK; k += 32)
                    KQuantSimd.Emit32(Vector256.Load((sbyte*)b + Q8Qs + k), d, 0f, d, 0f, d0 + i * QK + k);
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
        fixed (byte* w0 = weights)
        fixed (byte* a0 = activations)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = w0 + i * BlockLen;
                byte* y = a0 + i * BlockLen;
                var sumi = Vector256<int>.Zero;
                for (int k = 0; k < QK; k += 16)
                {
                    // Widen to int16 first: exact for every int8 pair, including −128·−128.
                    var qx = Avx2.ConvertToVector256Int16((sbyte*)x + Q8Qs + k);
                    var qy = Avx2.ConvertToVector256Int16((sbyte*)y + Q8Qs + k);
                    sumi += Avx2.MultiplyAddAdjacent(qx, qy);
                }
                acc += Vector256.Create(*(float*)x * *(float*)y) * Vector256.ConvertToSingle(sumi);
            }
        }
        return Vector256.Sum(acc);
    }
}
