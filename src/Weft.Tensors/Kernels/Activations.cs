// Element-wise activations and the softmax, each with a float64 scalar reference.
using System.Numerics.Tensors;

namespace Weft.Tensors.Kernels;

public static class Activations
{
    private const int Chunk = 256;

    /// <summary>gate = silu(gate) * up, in place (the SwiGLU feed-forward).</summary>
    public static void SwiGlu(Span<float> gate, ReadOnlySpan<float> up)
    {
        Span<float> s = stackalloc float[Chunk];
        for (int i = 0; i < gate.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, gate.Length - i);
            var g = gate.Slice(i, n);
            TensorPrimitives.Sigmoid(g, s[..n]);
            TensorPrimitives.Multiply(g, s[..n], g);
            TensorPrimitives.Multiply(g, up.Slice(i, n), g);
        }
    }

    public static void SwiGluReference(Span<float> gate, ReadOnlySpan<float> up)
    {
        for (int i = 0; i < gate.Length; i++)
        {
            double g = gate[i];
            gate[i] = (float)(g / (1 + Math.Exp(-g)) * up[i]);
        }
    }

    /// <summary>x = softmax(x) in place, computed stably (max subtracted first).</summary>
    public static void Softmax(Span<float> x)
    {
        if (x.IsEmpty) return;
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, x);
        TensorPrimitives.Exp(x, x);
        float sum = TensorPrimitives.Sum(x);
        TensorPrimitives.Multiply(x, 1f / sum, x);
    }

    public static void SoftmaxReference(Span<float> x)
    {
        if (x.IsEmpty) return;
        double max = double.NegativeInfinity;
        foreach (float v in x) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in x) sum += Math.Exp(v - max);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(Math.Exp(x[i] - max) / sum);
    }
}
