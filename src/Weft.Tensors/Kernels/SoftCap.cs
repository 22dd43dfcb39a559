// Soft-capping (gemma2's attention and final logits): x = cap·tanh(x / cap), which bounds |x| below cap smoothly.
using System.Numerics.Tensors;

namespace Weft.Tensors.Kernels;

public static class SoftCap
{
    public static void Apply(Span<float> x, float cap)
    {
        TensorPrimitives.Multiply(x, 1f / cap, x);
        TensorPrimitives.Tanh(x, x);
        TensorPrimitives.Multiply(x, cap, x);
    }

    public static void ApplyReference(Span<float> x, float cap)
    {
        for (int i = 0; i < x.Length; i++) x[i] = (float)(cap * Math.Tanh(x[i] / (double)cap));
    }
}
