// Central finite differences in float64 against an analytic gradient: ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖)
// over the checked elements (every element of small tensors, a seeded sample of large ones).
namespace Weft.Training.Tests;

public static class GradCheck
{
    /// <summary>Relative error the backward passes must meet.</summary>
    public const double Limit = 1e-3;
    /// <summary>Finite-difference step: truncation error h² and rounding error 1e-16/h both stay far below the limit.</summary>
    public const double Step = 1e-5;

    /// <param name="values">the tensor the loss depends on (perturbed in place and restored).</param>
    /// <param name="analytic">dL/dvalues from the backward pass.</param>
    /// <param name="loss">recomputes the loss from the current values.</param>
    public static double RelativeError(double[] values, double[] analytic, Func<double> loss, int maxSamples = 64, int seed = 7)
    {
        var indices = Enumerable.Range(0, values.Length).ToArray();
        if (indices.Length > maxSamples)
        {
            new Random(seed).Shuffle(indices);
            indices = indices[..maxSamples];
        }
        double diff = 0, na = 0, nn = 0;
        foreach (int i in indices)
        {
            double keep = values[i];
            values[i] = keep + Step;
            double up = loss();
            values[i] = keep - Step;
            double down = loss();
            values[i] = keep;
            double numeric = (up - down) / (2 * Step);
            diff += (numeric - analytic[i]) * (numeric - analytic[i]);
            na += analytic[i] * analytic[i];
            nn += numeric * numeric;
        }
        double scale = Math.Sqrt(Math.Max(na, nn));
        if (scale == 0) throw new InvalidOperationException("both gradients are zero: the check would prove nothing");
        return Math.Sqrt(diff) / scale;
    }

    public static double[] Random(int n, int seed, double scale = 1)
    {
        var rng = new Random(seed);
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = scale * (2 * rng.NextDouble() - 1);
        return x;
    }

    /// <summary>Σ a∘b: the scalar loss that makes b the upstream gradient of a.</summary>
    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
