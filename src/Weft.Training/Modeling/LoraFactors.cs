// A low-rank update of one weight: W x + scale·B(A·dropout(x)), scale = alpha/rank; A [rank, in], B [out, rank].
using System.Numerics;
using System.Numerics.Tensors;
using Weft.Tensors.Threading;
using Weft.Training.Ops;

namespace Weft.Training.Modeling;

public sealed class LoraFactors<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The adapted weight's GGUF name.</summary>
    public string BaseName { get; }
    public int Rank { get; }
    public float Alpha { get; }
    public float Dropout { get; }
    /// <summary>[rank, in]: GGUF ne [in, rank], the layout llama.cpp expects for ".lora_a".</summary>
    public Parameter<T> A { get; }
    /// <summary>[out, rank]: GGUF ne [rank, out] for ".lora_b".</summary>
    public Parameter<T> B { get; }
    public T Scale => T.CreateTruncating(Alpha / Rank);

    // Saved by the forward pass: the (dropped-out) input [n, in], A·x [n, rank], the dropout mask [n, in].
    private T[] _xd = [];
    private T[] _ax = [];
    private bool[]? _keep;

    public LoraFactors(string baseName, int rows, int cols, int rank, float alpha, float dropout, Random rng)
    {
        if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank), "LoRA rank must be at least 1");
        if (dropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(dropout), "LoRA dropout must be in [0, 1)");
        BaseName = baseName;
        Rank = rank;
        Alpha = alpha;
        Dropout = dropout;
        // A ~ N(0, 1/in) so that A·x keeps the scale of x; B = 0 so that training starts from the base model.
        var a = new T[rank * cols];
        double std = 1 / Math.Sqrt(cols);
        for (int i = 0; i < a.Length; i++) a[i] = T.CreateTruncating(std * Gaussian(rng));
        A = new Parameter<T>(baseName + LoraAdapter.SuffixA, [rank, cols], a, trainable: true);
        B = new Parameter<T>(baseName + LoraAdapter.SuffixB, [rows, rank], new T[rows * rank], trainable: true);
    }

    internal static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>y += scale·B(A·drop(x)) for x [n, in], y [n, out]; dropout only when a generator is given.</summary>
    public void Forward(WorkerPool? pool, T[] x, int n, T[] y, Random? dropout)
    {
        int cols = A.Shape[1], rows = B.Shape[0];
        _xd = x;
        _keep = null;
        if (dropout != null && Dropout > 0)
        {
            _xd = new T[x.Length];
            _keep = new bool[x.Length];
            T inv = T.CreateTruncating(1 / (1 - Dropout));
            for (int i = 0; i < x.Length; i++)
                if (_keep[i] = dropout.NextDouble() >= Dropout) _xd[i] = x[i] * inv;
        }
        _ax = new T[n * Rank];
        Linear.Forward(pool, _xd, A.Value, n, cols, Rank, _ax);
        var delta = new T[n * rows];
        Linear.Forward(pool, _ax, B.Value, n, Rank, rows, delta);
        TensorPrimitives.MultiplyAdd<T>(delta, Scale, y, y);
    }

    /// <summary>Gradients of A and B for dy [n, out]; dx += the LoRA path's share.</summary>
    public void Backward(WorkerPool? pool, T[] dy, int n, T[]? dx)
    {
        int cols = A.Shape[1], rows = B.Shape[0];
        var dys = new T[dy.Length];
        TensorPrimitives.Multiply<T>(dy, Scale, dys);
        var dax = new T[n * Rank];
        Linear.Backward(pool, dys, _ax, B.Value, n, Rank, rows, dax, B.Grad);
        var dxd = dx == null ? null : new T[n * cols];
        Linear.Backward(pool, dax, _xd, A.Value, n, cols, Rank, dxd, A.Grad);
        if (dx == null || dxd == null) return;
        if (_keep != null)
        {
            T inv = T.CreateTruncating(1 / (1 - Dropout));
            for (int i = 0; i < dxd.Length; i++) dxd[i] = _keep[i] ? dxd[i] * inv : T.Zero;
        }
        TensorPrimitives.Add<T>(dx, dxd, dx);
    }
}
