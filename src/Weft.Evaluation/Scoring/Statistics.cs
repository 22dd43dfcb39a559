// Summary statistics used by the metrics: means with lm-evaluation-harness's standard error, Wilson intervals,
// percentiles with linear interpolation, Pearson correlation.
namespace Weft.Evaluation.Scoring;

public static class Statistics
{
    public static double Mean(IReadOnlyList<double> v) => v.Count == 0 ? double.NaN : v.Sum() / v.Count;

    /// <summary>Sample standard deviation (n − 1) over √n, as lm-evaluation-harness's mean_stderr; 0 for fewer than two values.</summary>
    public static double StandardError(IReadOnlyList<double> v)
    {
        if (v.Count < 2) return 0;
        double m = Mean(v), ss = 0;
        foreach (double x in v) ss += (x - m) * (x - m);
        return Math.Sqrt(ss / (v.Count - 1)) / Math.Sqrt(v.Count);
    }

    /// <summary>The 95 % Wilson score interval of <paramref name="successes"/> out of <paramref name="n"/>.</summary>
    public static (double Low, double High) Wilson(int successes, int n, double z = 1.959963984540054)
    {
        if (n == 0) return (0, 1);
        double p = (double)successes / n, z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>The value at fraction <paramref name="p"/> (0..1) of the sorted values, interpolated linearly between ranks.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        double rank = p * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank), hi = Math.Min(sorted.Length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    public static double Correlation(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        int n = a.Count;
        if (n < 2) return double.NaN;
        double ma = Mean(a), mb = Mean(b), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            sab += da * db; saa += da * da; sbb += db * db;
        }
        return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : double.NaN;
    }

    /// <summary>Index of the largest value, ties to the first (numpy's argmax).</summary>
    public static int ArgMax(IReadOnlyList<double> v)
    {
        int best = 0;
        for (int i = 1; i < v.Count; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
