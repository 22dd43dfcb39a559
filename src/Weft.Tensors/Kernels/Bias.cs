// Row-wise bias add and clamping of projection outputs ([rows, width] activations).
using System.Numerics.Tensors;

namespace Weft.Tensors.Kernels;

public static class Bias
{
    /// <summary>x[r, :] += bias for each of <paramref name="rows"/> rows of width bias.Length.</summary>
    public static void AddRows(Span<float> x, ReadOnlySpan<float> bias, int rows)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * bias.Length, bias.Length);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    public static void AddRowsReference(Span<float> x, ReadOnlySpan<float> bias, int rows)
    {
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < bias.Length; i++) x[r * bias.Length + i] = (float)((double)x[r * bias.Length + i] + bias[i]);
    }

    /// <summary>x = min(max(x, -limit), limit), in place.</summary>
    public static void Clamp(Span<float> x, float limit)
    {
        TensorPrimitives.Max(x, -limit, x);
        TensorPrimitives.Min(x, limit, x);
    }

    public static void ClampReference(Span<float> x, float limit)
    {
        for (int i = 0; i < x.Length; i++) x[i] = Math.Clamp(x[i], -limit, limit);
    }
}
