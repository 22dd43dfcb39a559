// A weight matrix of the training model, [Rows = out, Cols = in]: trainable float values, or a frozen view of the
// base file in its own GGUF type (never copied).
using System.Numerics;
using Weft.Tensors.Kernels;
using Weft.Tensors.Threading;
using Weft.Training.Ops;

namespace Weft.Training.Modeling;

public sealed class WeightMatrix<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name { get; }
    public int Rows { get; }
    public int Cols { get; }
    /// <summary>Values when held in memory (trainable or not); null for a frozen view.</summary>
    public Parameter<T>? Dense { get; }
    public QMatrix Frozen { get; }

    public WeightMatrix(Parameter<T> dense)
    {
        Name = dense.Name;
        Rows = dense.Shape[0];
        Cols = dense.Shape[1];
        Dense = dense;
    }

    public WeightMatrix(string name, QMatrix frozen)
    {
        Name = name;
        Rows = frozen.Rows;
        Cols = frozen.Cols;
        Frozen = frozen;
    }

    /// <summary>y = x·Wᵀ: x [n, Cols], y [n, Rows].</summary>
    public void Forward(WorkerPool? pool, T[] x, int n, T[] y)
    {
        if (Dense != null) Linear.Forward(pool, x, Dense.Value, n, Cols, Rows, y);
        else FrozenLinear.Forward(pool, x, Frozen, n, y);
    }

    /// <summary>dx += dy·W (when dx is given); the weight's gradient += dyᵀ·x when it is trained.</summary>
    public void Backward(WorkerPool? pool, T[] dy, T[] x, int n, T[]? dx)
    {
        if (Dense != null) Linear.Backward(pool, dy, x, Dense.Value, n, Cols, Rows, dx, Dense.Grad);
        else if (dx != null) FrozenLinear.BackwardInput(pool, dy, Frozen, n, dx);
    }

    /// <summary>Row r as T (an embedding lookup).</summary>
    public void Row(int r, Span<T> dst)
    {
        if (Dense != null) Dense.Value.AsSpan(r * Cols, Cols).CopyTo(dst);
        else FrozenLinear.Row(Frozen, r, dst);
    }
}
