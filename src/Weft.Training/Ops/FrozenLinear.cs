// The same product against a frozen weight kept in its GGUF type (F32, F16, Q8_0, K-quants…): rows are dequantized on
// the fly, once per batch in the forward pass and once per worker share in the backward pass; W gets no gradient.
using System.Numerics;
using System.Numerics.Tensors;
using Weft.Tensors.Kernels;
using Weft.Tensors.Threading;

namespace Weft.Training.Ops;

public static class FrozenLinear
{
    /// <summary>y[i, r] = x[i, :]·W[r, :] for x [n, W.Cols], y [n, W.Rows].</summary>
    public static void Forward<T>(WorkerPool? pool, T[] x, QMatrix w, int n, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inDim = w.Cols, outDim = w.Rows;
        Parallel.For(pool, outDim, (long)n * inDim * outDim, (start, end) =>
        {
            var f = new float[inDim];
            var row = new T[inDim];
            for (int r = start; r < end; r++)
            {
                w.DequantizeRow(r, f);
                Numbers.Convert<T>(f, row);
                for (int i = 0; i < n; i++) y[i * outDim + r] = TensorPrimitives.Dot(new ReadOnlySpan<T>(x, i * inDim, inDim), row);
            }
        });
    }

    /// <summary>dx += dy·W for dy [n, W.Rows], dx [n, W.Cols].</summary>
    public static void BackwardInput<T>(WorkerPool? pool, T[] dy, QMatrix w, int n, T[] dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inDim = w.Cols, outDim = w.Rows;
        Parallel.For(pool, n, (long)n * inDim * outDim, (start, end) =>
        {
            var f = new float[inDim];
            var row = new T[inDim];
            for (int r = 0; r < outDim; r++)
            {
                w.DequantizeRow(r, f);
                Numbers.Convert<T>(f, row);
                for (int i = start; i < end; i++)
                {
                    T g = dy[i * outDim + r];
                    if (g == T.Zero) continue;
                    var dxi = new Span<T>(dx, i * inDim, inDim);
                    TensorPrimitives.MultiplyAdd(row, g, dxi, dxi);
                }
            }
        }, Parallel.EvenChunk(pool, n));
    }

    /// <summary>Row <paramref name="r"/> of W as T.</summary>
    public static void Row<T>(QMatrix w, int r, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var f = new float[w.Cols];
        w.DequantizeRow(r, f);
        Numbers.Convert<T>(f, dst);
    }
}
