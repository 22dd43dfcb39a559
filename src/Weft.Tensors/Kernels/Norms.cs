// Normalisations over one row: RMSNorm (llama) and LayerNorm (falcon), each with a float64 scalar reference.
using System.Numerics.Tensors;

namespace Weft.Tensors.Kernels;

public static class Norms
{
    /// <summary>y = x / sqrt(mean(x²) + eps) * weight. <paramref name="y"/> may alias <paramref name="x"/>.</summary>
    public static void RmsNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, float eps)
    {
        float sumSq = TensorPrimitives.SumOfSquares(x);
        float scale = 1f / MathF.Sqrt(sumSq / x.Length + eps);
        TensorPrimitives.Multiply(x, scale, y);
        TensorPrimitives.Multiply(y, weight, y);
    }

    public static void RmsNormReference(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, float eps)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        double scale = 1.0 / Math.Sqrt(s / x.Length + eps);
        for (int i = 0; i < x.Length; i++) y[i] = (float)(x[i] * scale * weight[i]);
    }

    /// <summary>y = (x - mean) / sqrt(var + eps) * weight + bias; an empty weight or bias is left out (olmo's norms have neither).</summary>
    public static void LayerNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, float eps)
    {
        float mean = TensorPrimitives.Sum(x) / x.Length;
        TensorPrimitives.Subtract(x, mean, y);
        float variance = TensorPrimitives.SumOfSquares(y) / x.Length;
        TensorPrimitives.Multiply(y, 1f / MathF.Sqrt(variance + eps), y);
        if (!weight.IsEmpty) TensorPrimitives.Multiply(y, weight, y);
        if (!bias.IsEmpty) TensorPrimitives.Add(y, bias, y);
    }

    public static void LayerNormReference(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, float eps)
    {
        double mean = 0;
        foreach (float v in x) mean += v;
        mean /= x.Length;
        double variance = 0;
        foreach (float v in x) variance += (v - mean) * (v - mean);
        variance /= x.Length;
        double inv = 1.0 / Math.Sqrt(variance + eps);
        for (int i = 0; i < x.Length; i++) y[i] = (float)((x[i] - mean) * inv * (weight.IsEmpty ? 1 : weight[i]) + (bias.IsEmpty ? 0 : bias[i]));
    }
}
