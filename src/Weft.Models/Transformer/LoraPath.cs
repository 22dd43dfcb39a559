// Adds the adapters' low-rank updates to a projection's output: y += scale·B(A x) over a batch of rows, as llama.cpp's
// build_lora_mm does (A x and B(A x) in the factors' own type, float activations for float factors). Scratch is
// sized at construction, so applying allocates nothing.
using System.Numerics.Tensors;
using Weft.Models.Adapters;
using Weft.Tensors.Kernels;

namespace Weft.Models.Transformer;

internal sealed class LoraPath(LoraTerms terms, MatMul matmul, int maxBatch)
{
    private readonly float[] _ax = new float[maxBatch * terms.MaxRank];    // [batch, rank]
    private readonly float[] _delta = new float[maxBatch * terms.MaxOut];  // [batch, out]

    public LoraTerms Terms { get; } = terms;

    /// <summary>y [n, out] += Σ over <paramref name="updates"/> of scale·B(A x) for x [n, in].</summary>
    public void Apply(LoraTerm[] updates, Memory<float> x, int n, Span<float> y)
    {
        foreach (var u in updates)
        {
            matmul.Run(u.A, x, n, _ax);
            matmul.Run(u.B, _ax, n, _delta);
            int count = n * u.B.Rows;
            TensorPrimitives.MultiplyAdd(_delta.AsSpan(0, count), u.Scale, y[..count], y[..count]);
        }
    }
}
