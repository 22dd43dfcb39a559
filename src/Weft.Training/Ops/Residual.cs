// Residual connection: x ← x + f(x). The gradient reaches both the skip path and the branch unchanged.
using System.Numerics;
using System.Numerics.Tensors;

namespace Weft.Training.Ops;

public static class Residual
{
    /// <summary>y = x + branch.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> branch, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.Add(x, branch, y);

    /// <summary>dx += dy; dBranch += dy.</summary>
    public static void Backward<T>(ReadOnlySpan<T> dy, Span<T> dx, Span<T> dBranch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Add(dx, dy, dx);
        TensorPrimitives.Add(dBranch, dy, dBranch);
    }
}
