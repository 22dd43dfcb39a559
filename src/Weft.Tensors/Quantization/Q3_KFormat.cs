// Q3_K: 256-element super-blocks of 16 sub-blocks of 16, x = d·sc·q with q in -4..3 and signed 6-bit sc.
// Block (110 bytes): hmask[32], qs[64] (low 2 bits), scales[12] (6-bit, packed), half d.
// Element e: low bits qs[32·(e/128) + e%32] >> 2·((e%128)/32) & 3; high bit = bit (e/32) of hmask[e%32];
// q = low − (high bit set ? 0 : 4), i.e. the stored 3-bit level minus 4.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Weft.Tensors.Quantization.KQuantMath;

namespace Weft.Tensors.Quantization;

public sealed class Q3_KFormat : QuantFormat
{
    private const int BlockLen = 110;
    private const int OffHmask = 0, OffQs = 32, OffScales = 96, OffD = 108;

    public override GgmlType Type => GgmlType.Q3_K;
    public override GgmlType DotType => GgmlType.Q8_K;

    /// <summary>The signed value of element e (-4..3).</summary>
    private static int QuantAt(ReadOnlySpan<byte> block, int e)
    {
        int low = (block[OffQs + 32 * (e / 128) + e % 32] >> (2 * (e % 128 / 32))) & 3;
        bool high = (block[OffHmask + e % 32] & (1 << (e / 32))) != 0;
        return low - (high ? 0 : 4);
    }

    public override void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = KQuantSimd.CheckRow(dst.Length, src.Length, BlockLen);
        Span<sbyte> scales = stackalloc sbyte[16];
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BlockLen, BlockLen);
            float d = Half(b, OffD);
            UnpackQ3Scales(b.Slice(OffScales, 12), scales);
            for (int e = 0; e < QK; e++)
            {
                float dl = d * scales[e / 16];
                dst[i * QK + e] = dl * QuantAt(b, e);
            }
        }
    }

    public override void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = KQuantSimd.CheckRow(src.Length, dst.Length, BlockLen);
        Span<sbyte> L = stackalloc sbyte[QK];
        Span<float> scales = stackalloc float[16];
        Span<sbyte> stored = stackalloc sbyte[16];
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * QK, QK);
            var y = dst.Slice(i * BlockLen, BlockLen);
            float maxScale = 0, amax = 0;
            for (int j = 0; j < 16; j++)
            {
                scales[j] = MakeQ3Quants(16, 4, x.Slice(16 * j, 16), L.Slice(16 * j, 16), true);
                float scale = MathF.Abs(scales[j]);
                if (scale > amax) { amax = scale; maxScale = scales[j]; }
            }

            var packed = y.Slice(OffScales, 12);
            packed.Clear();
            if (maxScale != 0)
            {
                float iscale = -32f / maxScale;
                for (int j = 0; j < 16; j++)
                {
                    // The reference keeps the rounded value in an int8 before clamping.
                    int l = unchecked((sbyte)NearestInt(iscale * scales[j]));
                    l = Math.Max(-32, Math.Min(31, l)) + 32;
                    if (j < 8) packed[j] = (byte)(l & 0xF);
                    else packed[j - 8] |= (byte)((l & 0xF) << 4);
                    l >>= 4;
                    packed[j % 4 + 8] |= (byte)(l << (2 * (j / 4)));
                }
                WriteHalf(y, OffD, 1 / iscale);
            }
            else
            {
                WriteHalf(y, OffD, 0f);
            }

            float dAll = Half(y, OffD);
            UnpackQ3Scales(packed, stored);
            for (int j = 0; j < 16; j++)
            {
                float d = dAll * stored[j];
                if (d == 0) continue;
                for (int ii = 0; ii < 16; ii++)
                {
                    int l = NearestInt(x[16 * j + ii] / d);
                    l = Math.Max(-4, Math.Min(3, l));
                    L[16 * j + ii] = (sbyte)(l + 4);
                }
            }

            // High bits: element e goes to bit e/32 of hmask[e%32].
            var hmask = y.Slice(OffHmask, 32);
            hmask.Clear();
            for (int e = 0; e < QK; e++)
            {
                if (L[e] > 3)
                {
                    hmask[e % 32] |= (byte)(1 << (e / 32));
                    L[e] -= 4;
                }
            }
            for (int j = 0; j < QK; j += 128)
                for (int l = 0; l < 32; l++)
                    y[OffQs + j / 4 + l] = (byte)((L[j + l] & 3) | ((L[j + l + 32] & 3) << 2) | ((L[j + l + 64] & 3) << 4) | ((L[j + l + 96] & 3) << 6));
        }
    }

    public override float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n)
    {
        int nb = KQuantSimd.CheckDot(weights, BlockLen, activations, n);
        Span<sbyte> scales = stackalloc sbyte[16];
        float sum = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weights.Slice(i * BlockLen, BlockLen);
            var y = activations.Slice(i * Q8Bytes, Q8Bytes);
            UnpackQ3Scales(x.Slice(OffScales, 12), scales);
            int isum = 0;
            for (int j = 0; j < 16; j++)
            {
                int s = 0;
                for (int l = 0; l < 16; l++) s += Q8Quant(y, 16 * j + l) * QuantAt(x, 16 * j + l);
                isum += scales[j] * s;
            }
            sum += Half(x, OffD) * Q8Scale(y) * isum;
        }
        return sum;
    }

    public override void Quantize(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeReference(src, dst);

    /// <summary>The 16 scales (minus 32) as signed bytes, by the same bit moves as <see cref="KQuantMath.UnpackQ3Scales"/> on whole words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector128<sbyte> UnpackScales(byte* packed)
    {
        uint a = Unsafe.ReadUnaligned<uint>(packed);
        uint b = Unsafe.ReadUnaligned<uint>(packed + 4);
        uint c = Unsafe.ReadUnaligned<uint>(packed + 8);
        const uint Low4 = 0x0f0f0f0f, Low2 = 0x03030303;
        uint s0 = (a & Low4) | ((c & Low2) << 4);
        uint s1 = (b & Low4) | (((c >> 2) & Low2) << 4);
        uint s2 = ((a >> 4) & Low4) | (((c >> 4) & Low2) << 4);
        uint s3 = ((b >> 4) & Low4) | (((c >> 6) & Low2) << 4);
        return (Vector128.Create(s0, s1, s2, s3).AsSByte() - Vector128.Create((sbyte)32));
    }

    public override unsafe void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            DequantizeReference(src, dst);
            return;
        }
        int nb = KQuantSimd.CheckRow(dst.Length, src.Length, BlockLen);
        sbyte* sc = stackalloc sbyte[16];
        fixed (byte* s0 = src)
        fixed (float* d0 = dst)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* b = s0 + i * BlockLen;
                float* y = d0 + i * QK;
                float d = Half(b + OffD);
                UnpackScales(b + OffScales).Store(sc);
                var hm = Vector256.Load(b + OffHmask);
                for (int half = 0; half < 2; half++)
                {
                    var q = Vector256.Load(b + OffQs + 32 * half);
                    for (int j = 0; j < 4; j++)
                    {
                        int sb = 8 * half + 2 * j;
                        var low = KQuantSimd.ShiftMask(q, 2 * j, 3);
                        var missing = Vector256.Create((byte)4) - KQuantSimd.BitSelect(hm, 4 * half + j, 4);
                        KQuantSimd.Emit32((low - missing).AsSByte(), d * sc[sb], 0f, d * sc[sb + 1], 0f, y + 16 * sb);
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
        fixed (byte* w0 = weights)
        fixed (byte* a0 = activations)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = w0 + i * BlockLen;
                byte* y = a0 + i * Q8Bytes;
                float d = Half(x + OffD) * *(float*)y;
                var sc = UnpackScales(x + OffScales);

                // Levels are used unsigned (0..7, the stored value); the −4 offset comes back through the block sums.
                var offset = Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(sc), Vector256.Load((short*)(y + Q8Bsums)));
                var hm = Vector256.Load(x + OffHmask);
                var sumi = Vector256<int>.Zero;
                for (int half = 0; half < 2; half++)
                {
                    var q3 = Vector256.Load(x + OffQs + 32 * half);
                    byte* q8 = y + Q8Qs + 128 * half;
                    for (int j = 0; j < 4; j++)
                    {
                        var u = KQuantSimd.ShiftMask(q3, 2 * j, 3) | KQuantSimd.BitSelect(hm, 4 * half + j, 4);
                        var p = Avx2.MultiplyAddAdjacent(u, Vector256.Load((sbyte*)q8 + 32 * j));
                        var s = Avx2.ConvertToVector256Int16(Ssse3.Shuffle(sc, KQuantSimd.PairMask(4 * half + j).AsSByte()));
                        sumi += Avx2.MultiplyAddAdjacent(p, s);
                    }
                }
                sumi -= Vector256.ShiftLeft(offset, 2);
                acc += Vector256.Create(d) * Vector256.ConvertToSingle(sumi);
            }
        }
        return Vector256.Sum(acc);
    }
}
