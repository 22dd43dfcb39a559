// The output head: final RMSNorm, then logits = norm(x)·Wᵀ over the vocabulary ([n, dim] → [n, vocab]).
using System.Numerics;
using Weft.Tensors.Threading;
using Weft.Training.Modeling;

namespace Weft.Training.Ops;

public static class OutputHead
{
    /// <param name="normed">[n, dim]: the normalized rows, kept for the backward pass.</param>
    /// <param name="rstd">[n]</param>
    /// <param name="logits">[n, vocab]</param>
    public static void Forward<T>(WorkerPool? pool, T[] x, T[] normWeight, float eps, WeightMatrix<T> w, int n, T[] normed, T[] rstd, T[] logits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RmsNorm.Forward<T>(x, normWeight, eps, n, normed, rstd);
        w.Forward(pool, normed, n, logits);
    }

    /// <summary>dx += ∂L/∂x; the norm's gradient (when dNorm is given) and the weight's (when trained) accumulate.</summary>
    public static void Backward<T>(WorkerPool? pool, T[] dLogits, T[] x, T[] normWeight, T[]? dNorm, WeightMatrix<T> w, T[] normed, T[] rstd, int n, T[] dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dNormed = new T[n * normWeight.Length];
        w.Backward(pool, dLogits, normed, n, dNormed);
        RmsNorm.Backward<T>(dNormed, x, normWeight, rstd, n, dx, dNorm ?? []);
    }
}
