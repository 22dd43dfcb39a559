// Gradient clipping by the global L2 norm over every trainable parameter.
using System.Numerics;
using Weft.Training.Modeling;

namespace Weft.Training.Optimization;

public static class GradientClipping
{
    public static double GlobalNorm<T>(IEnumerable<Parameter<T>> parameters) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        foreach (var p in parameters)
        {
            if (p.Grad == null) continue;
            foreach (var g in p.Grad) { double d = double.CreateTruncating(g); sum += d * d; }
        }
        return Math.Sqrt(sum);
    }

    /// <summary>Scales every gradient by maxNorm/norm when the global norm exceeds maxNorm; returns the norm before clipping.</summary>
    public static double ClipGlobalNorm<T>(IReadOnlyList<Parameter<T>> parameters, double maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double norm = GlobalNorm(parameters);
        if (maxNorm <= 0 || norm <= maxNorm || !double.IsFinite(norm)) return norm;
        T scale = T.CreateTruncating(maxNorm / norm);
        foreach (var p in parameters)
        {
            if (p.Grad == null) continue;
            for (int i = 0; i < p.Grad.Length; i++) p.Grad[i] *= scale;
        }
        return norm;
    }
}
