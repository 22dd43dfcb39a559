// One linear projection of a layer (q, k, v, o, gate, up, down): the base weight plus, optionally, LoRA factors.
using System.Numerics;
using Weft.Tensors.Threading;

namespace Weft.Training.Modeling;

public sealed class Projection<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public WeightMatrix<T> Weight { get; }
    public LoraFactors<T>? Lora { get; set; }

    public Projection(WeightMatrix<T> weight) => Weight = weight;

    public int In => Weight.Cols;
    public int Out => Weight.Rows;

    /// <summary>y = x·Wᵀ (+ the LoRA update): x [n, In], y [n, Out] (overwritten).</summary>
    public void Forward(WorkerPool? pool, T[] x, int n, T[] y, Random? dropout)
    {
        Weight.Forward(pool, x, n, y);
        Lora?.Forward(pool, x, n, y, dropout);
    }

    /// <summary>dx += ∂L/∂x for dy; trained weights and factors accumulate their gradients.</summary>
    public void Backward(WorkerPool? pool, T[] dy, T[] x, int n, T[]? dx)
    {
        Weight.Backward(pool, dy, x, n, dx);
        Lora?.Backward(pool, dy, n, dx);
    }
}
