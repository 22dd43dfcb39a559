// Float matrix product C[a, b] (+)= Σₖ A[a, k]·B[b, k] for row-major A [m, k], B [p, k], C [m, p] — the one shape
// training needs (the forward product, and with transposed copies both backward products). A 2×4 register tile of
// Vector256 accumulators over k, rows of A taken in cache-sized blocks while B's rows stream by; tails and machines
// without 256-bit vectors use plain dot products. Reference: GemmReference.
using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Weft.Tensors.Threading;

namespace Weft.Training.Ops;

public static class Gemm
{
    /// <summary>Rows of A kept hot in cache while the rows of B pass (64 rows of 256 floats = 64 KiB).</summary>
    private const int RowBlock = 64;

    public static void ABt(WorkerPool? pool, float[] a, float[] b, float[] c, int m, int p, int k, bool accumulate)
    {
        if (m == 0 || p == 0) return;
        long work = (long)m * p * k;
        if (p >= m)
            Parallel.For(pool, (p + 3) / 4, work, (s, e) => Block(a, b, c, p, k, 0, m, s * 4, Math.Min(e * 4, p), accumulate));
        else
            Parallel.For(pool, (m + 1) / 2, work, (s, e) => Block(a, b, c, p, k, s * 2, Math.Min(e * 2, m), 0, p, accumulate));
    }

    /// <summary>dst [cols, rows] = srcᵀ for src [rows, cols]; dst may be longer than rows·cols.</summary>
    public static void Transpose(float[] src, int rows, int cols, float[] dst)
    {
        const int tile = 32;
        for (int r0 = 0; r0 < rows; r0 += tile)
            for (int c0 = 0; c0 < cols; c0 += tile)
            {
                int r1 = Math.Min(r0 + tile, rows), c1 = Math.Min(c0 + tile, cols);
                for (int r = r0; r < r1; r++)
                    for (int q = c0; q < c1; q++) dst[q * rows + r] = src[r * cols + q];
            }
    }

    /// <summary>A scratch array of at least <paramref name="length"/> floats (return it with <see cref="Return"/>).</summary>
    public static float[] Rent(int length) => ArrayPool<float>.Shared.Rent(length);

    public static void Return(float[] array) => ArrayPool<float>.Shared.Return(array);

    private static void Block(float[] a, float[] b, float[] c, int p, int k, int a0, int a1, int b0, int b1, bool accumulate)
    {
        bool vector = Vector256.IsHardwareAccelerated && k >= 8;
        for (int ab = a0; ab < a1; ab += RowBlock)
        {
            int ae = Math.Min(ab + RowBlock, a1);
            for (int j = b0; j < b1; j += 4)
            {
                int jn = Math.Min(4, b1 - j);
                int i = ab;
                if (vector && jn == 4)
                    for (; i + 2 <= ae; i += 2) Tile2x4(a, b, c, p, k, i, j, accumulate);
                for (; i < ae; i++)
                    for (int q = j; q < j + jn; q++)
                    {
                        float d = TensorPrimitives.Dot(new ReadOnlySpan<float>(a, i * k, k), new ReadOnlySpan<float>(b, q * k, k));
                        c[i * p + q] = accumulate ? c[i * p + q] + d : d;
                    }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile2x4(float[] a, float[] b, float[] c, int p, int k, int i, int j, bool accumulate)
    {
        ref float ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref float rb = ref MemoryMarshal.GetArrayDataReference(b);
        nuint x0 = (nuint)i * (nuint)k, x1 = x0 + (nuint)k;
        nuint w0 = (nuint)j * (nuint)k, w1 = w0 + (nuint)k, w2 = w1 + (nuint)k, w3 = w2 + (nuint)k;
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        nuint kk = 0, kv = (nuint)(k & ~7);
        for (; kk < kv; kk += 8)
        {
            var u = Vector256.LoadUnsafe(ref ra, x0 + kk);
            var v = Vector256.LoadUnsafe(ref ra, x1 + kk);
            var w = Vector256.LoadUnsafe(ref rb, w0 + kk);
            c00 = Vector256.FusedMultiplyAdd(u, w, c00);
            c10 = Vector256.FusedMultiplyAdd(v, w, c10);
            w = Vector256.LoadUnsafe(ref rb, w1 + kk);
            c01 = Vector256.FusedMultiplyAdd(u, w, c01);
            c11 = Vector256.FusedMultiplyAdd(v, w, c11);
            w = Vector256.LoadUnsafe(ref rb, w2 + kk);
            c02 = Vector256.FusedMultiplyAdd(u, w, c02);
            c12 = Vector256.FusedMultiplyAdd(v, w, c12);
            w = Vector256.LoadUnsafe(ref rb, w3 + kk);
            c03 = Vector256.FusedMultiplyAdd(u, w, c03);
            c13 = Vector256.FusedMultiplyAdd(v, w, c13);
        }
        float s00 = Vector256.Sum(c00), s01 = Vector256.Sum(c01), s02 = Vector256.Sum(c02), s03 = Vector256.Sum(c03);
        float s10 = Vector256.Sum(c10), s11 = Vector256.Sum(c11), s12 = Vector256.Sum(c12), s13 = Vector256.Sum(c13);
        for (; kk < (nuint)k; kk++)
        {
            float u = Unsafe.Add(ref ra, x0 + kk), v = Unsafe.Add(ref ra, x1 + kk);
            float q0 = Unsafe.Add(ref rb, w0 + kk), q1 = Unsafe.Add(ref rb, w1 + kk), q2 = Unsafe.Add(ref rb, w2 + kk), q3 = Unsafe.Add(ref rb, w3 + kk);
            s00 += u * q0; s01 += u * q1; s02 += u * q2; s03 += u * q3;
            s10 += v * q0; s11 += v * q1; s12 += v * q2; s13 += v * q3;
        }
        int o0 = i * p + j, o1 = o0 + p;
        if (accumulate)
        {
            c[o0] += s00; c[o0 + 1] += s01; c[o0 + 2] += s02; c[o0 + 3] += s03;
            c[o1] += s10; c[o1 + 1] += s11; c[o1 + 2] += s12; c[o1 + 3] += s13;
        }
        else
        {
            c[o0] = s00; c[o0 + 1] = s01; c[o0 + 2] = s02; c[o0 + 3] = s03;
            c[o1] = s10; c[o1 + 1] = s11; c[o1 + 2] = s12; c[o1 + 3] = s13;
        }
    }
}

/// <summary>The definition, one sum per output in double: what <see cref="Gemm"/> is tested against.</summary>
public static class GemmReference
{
    public static void ABt(float[] a, float[] b, float[] c, int m, int p, int k, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < p; j++)
            {
                double s = accumulate ? c[i * p + j] : 0;
                for (int q = 0; q < k; q++) s += (double)a[i * k + q] * b[j * k + q];
                c[i * p + j] = (float)s;
            }
    }
}
