// Matrix product against a weight stored as GGUF stores it, row-major [out, in]: y = x·Wᵀ for x [n, in], y [n, out].
using System.Numerics;
using System.Numerics.Tensors;
using Weft.Tensors.Threading;

namespace Weft.Training.Ops;

public static class Linear
{
    /// <summary>y[i, r] = x[i, :]·W[r, :]; rows of W split among workers.</summary>
    public static void Forward<T>(WorkerPool? pool, T[] x, T[] w, int n, int inDim, int outDim, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Gemm.ABt(pool, (float[])(object)x, (float[])(object)w, (float[])(object)y, n, outDim, inDim, accumulate: false);
            return;
        }
        Parallel.For(pool, outDim, (long)n * inDim * outDim, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var wr = new ReadOnlySpan<T>(w, r * inDim, inDim);
                for (int i = 0; i < n; i++) y[i * outDim + r] = TensorPrimitives.Dot(new ReadOnlySpan<T>(x, i * inDim, inDim), wr);
            }
        });
    }

    /// <summary>dx += dy·W (skipped when dx is null); dW += dyᵀ·x (skipped when dw is null).</summary>
    public static void Backward<T>(WorkerPool? pool, T[] dy, T[] x, T[] w, int n, int inDim, int outDim, T[]? dx, T[]? dw)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            BackwardFloat(pool, (float[])(object)dy, (float[])(object)x, (float[])(object)w, n, inDim, outDim, (float[]?)(object?)dx, (float[]?)(object?)dw);
            return;
        }
        long work = (long)n * inDim * outDim;
        if (dx != null)
        {
            Parallel.For(pool, n, work, (start, end) =>
            {
                for (int i = start; i < end; i++)
                {
                    var dxi = new Span<T>(dx, i * inDim, inDim);
                    for (int r = 0; r < outDim; r++)
                    {
                        T g = dy[i * outDim + r];
                        if (g != T.Zero) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(w, r * inDim, inDim), g, dxi, dxi);
                    }
                }
            });
        }
        if (dw != null)
        {
            Parallel.For(pool, outDim, work, (start, end) =>
            {
                for (int r = start; r < end; r++)
                {
                    var dwr = new Span<T>(dw, r * inDim, inDim);
                    for (int i = 0; i < n; i++)
                    {
                        T g = dy[i * outDim + r];
                        if (g != T.Zero) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(x, i * inDim, inDim), g, dwr, dwr);
                    }
                }
            });
        }
    }

    /// <summary>dx += dy·Wᵀᵀ as dy·(Wᵀ)ᵀ and dW += dyᵀ·x, both through <see cref="Gemm.ABt"/> on transposed copies.</summary>
    private static void BackwardFloat(WorkerPool? pool, float[] dy, float[] x, float[] w, int n, int inDim, int outDim, float[]? dx, float[]? dw)
    {
        if (dx != null)
        {
            var wt = Gemm.Rent(inDim * outDim);
            Gemm.Transpose(w, outDim, inDim, wt);
            Gemm.ABt(pool, dy, wt, dx, n, inDim, outDim, accumulate: true);
            Gemm.Return(wt);
        }
        if (dw != null)
        {
            var dyt = Gemm.Rent(n * outDim);
            var xt = Gemm.Rent(n * inDim);
            Gemm.Transpose(dy, n, outDim, dyt);
            Gemm.Transpose(x, n, inDim, xt);
            Gemm.ABt(pool, dyt, xt, dw, outDim, inDim, n, accumulate: true);
            Gemm.Return(dyt);
            Gemm.Return(xt);
        }
    }
}
