// Straightforward float64 versions of the samplers, and random logits to feed both.
using Weft.Inference.Sampling;

namespace Weft.Inference.Tests.Sampling;

internal static class Reference
{
    /// <summary>Random logits in [-scale, scale]; some copied from others to make ties, some -inf.</summary>
    public static float[] RandomLogits(Random rng, int n, float scale = 8f, double tieRate = 0.1, double negInfRate = 0.05)
    {
        var l = new float[n];
        for (int i = 0; i < n; i++) l[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        for (int i = 0; i < n; i++)
        {
            double r = rng.NextDouble();
            if (r < tieRate) l[i] = l[rng.Next(n)];
            else if (r < tieRate + negInfRate) l[i] = float.NegativeInfinity;
        }
        if (l.All(float.IsNegativeInfinity)) l[rng.Next(n)] = 0f;
        return l;
    }

    /// <summary>Token ids in candidate order: higher logit first, ties by lower id.</summary>
    public static int[] Order(IReadOnlyList<float> logits, IEnumerable<int> ids) =>
        ids.OrderByDescending(i => logits[i]).ThenBy(i => i).ToArray();

    public static int[] Order(IReadOnlyList<float> logits) => Order(logits, Enumerable.Range(0, logits.Count));

    /// <summary>softmax over the given ids, in double with Math.Exp.</summary>
    public static Dictionary<int, double> Softmax(IReadOnlyList<float> logits, IEnumerable<int> ids)
    {
        var list = ids.ToList();
        double max = list.Max(i => (double)logits[i]);
        var e = list.ToDictionary(i => i, i => double.IsNegativeInfinity(max) ? 1.0 : Math.Exp(logits[i] - max));
        double sum = e.Values.Sum();
        return e.ToDictionary(kv => kv.Key, kv => kv.Value / sum);
    }

    public static int[] TopK(IReadOnlyList<float> logits, IEnumerable<int> ids, int k)
    {
        var ordered = Order(logits, ids);
        return k <= 0 ? ordered : ordered.Take(k).ToArray();
    }

    /// <summary>The minimal prefix in candidate order whose probability reaches p; null when a running sum lies within tol of p (too close to call).</summary>
    public static int[]? TopP(IReadOnlyList<float> logits, IEnumerable<int> ids, double p, double tol = 1e-9)
    {
        var ordered = Order(logits, ids);
        var probs = Softmax(logits, ordered);
        double cum = 0;
        for (int i = 0; i < ordered.Length; i++)
        {
            cum += probs[ordered[i]];
            if (Math.Abs(cum - p) < tol) return null;
            if (cum >= p) return ordered.Take(i + 1).ToArray();
        }
        return ordered;
    }

    /// <summary>The ids with p_i &gt;= p * p_max; null when one is within tol of the threshold.</summary>
    public static int[]? MinP(IReadOnlyList<float> logits, IEnumerable<int> ids, double p, double tol = 1e-12)
    {
        var list = ids.ToList();
        double max = list.Max(i => (double)logits[i]);
        var kept = new List<int>();
        foreach (int i in list)
        {
            double ratio = Math.Exp(logits[i] - max);
            if (ratio != p && Math.Abs(ratio - p) < tol * p) return null;
            if (ratio >= p) kept.Add(i);
        }
        return kept.ToArray();
    }

    public static float[] Penalties(IReadOnlyList<float> logits, IReadOnlyList<int> history, int lastN, float repeat, float frequency, float presence)
    {
        var result = logits.ToArray();
        if (lastN == 0) return result;
        var window = lastN < 0 ? history : history.Skip(Math.Max(0, history.Count - lastN)).ToList();
        foreach (var group in window.GroupBy(t => t))
        {
            int t = group.Key, count = group.Count();
            float l = result[t];
            l = l <= 0 ? l * repeat : l / repeat;
            l -= count * frequency + presence;
            result[t] = l;
        }
        return result;
    }

    /// <summary>The whole chain: final candidate probabilities, or null when top-p or min-p is too close to call.</summary>
    public static Dictionary<int, double>? Chain(float[] logits, int[] history, SamplingOptions o)
    {
        var l = o.PenaltiesDisabled ? logits : Penalties(logits, history, o.RepeatLastN, o.RepeatPenalty, o.FrequencyPenalty, o.PresencePenalty);
        IEnumerable<int> ids = Enumerable.Range(0, l.Length);
        if (o.TopK > 0) ids = TopK(l, ids, o.TopK);
        if (o.TopP < 1f && ids.Count() > 1)
        {
            var kept = TopP(l, ids, o.TopP);
            if (kept is null) return null;
            ids = kept;
        }
        if (o.MinP > 0f && ids.Count() > 1 && !float.IsNegativeInfinity(ids.Max(i => l[i])))
        {
            var kept = MinP(l, ids, o.MinP);
            if (kept is null) return null;
            ids = kept;
        }
        var scaled = l.Select(x => o.Temperature == 1f ? x : x / o.Temperature).ToArray();
        return Softmax(scaled, ids);
    }

    public static CandidateSet Load(float[] logits)
    {
        var set = new CandidateSet(logits.Length);
        set.Load(logits);
        return set;
    }

    public static int[] Ids(CandidateSet set)
    {
        var ids = new int[set.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = set.Items[i].Id;
        return ids;
    }

    /// <summary>Upper 99.9% quantile of chi-square with df degrees of freedom (Wilson–Hilferty).</summary>
    public static double ChiSquareBound(int df)
    {
        const double z = 3.0902;
        double a = 2.0 / (9.0 * df);
        return df * Math.Pow(1 - a + z * Math.Sqrt(a), 3);
    }
}
