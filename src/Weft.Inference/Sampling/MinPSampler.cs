// Min-p: drop candidates much less likely than the most likely one.
namespace Weft.Inference.Sampling;

/// <summary>
/// Keeps the candidates whose probability is at least p times the probability of the most likely one,
/// i.e. <c>exp(logit - maxLogit) &gt;= p</c>; the most likely one always stays. Relative order is kept. p = 0 keeps everything.
/// </summary>
public sealed class MinPSampler
{
    public MinPSampler(float p)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "must be in [0, 1]");
        P = p;
    }

    public float P { get; }

    public void Apply(CandidateSet set)
    {
        if (P <= 0f || set.Count <= 1) return;
        float max = set.MaxLogit();
        if (float.IsInfinity(max)) return; // all -inf: nothing to compare; +inf: ratios undefined
        var items = set.Items;
        double p = P;
        int sorted = set.SortedCount;
        int kept = 0, keptSorted = 0;
        for (int i = 0; i < items.Length; i++)
        {
            if (SamplingMath.Exp((double)items[i].Logit - max) >= p)
            {
                if (i < sorted) keptSorted++;
                items[kept++] = items[i];
            }
        }
        // a dropped entry of the sorted prefix means all later ones are dropped too, so the kept part of it is still a prefix
        set.SetFiltered(kept, keptSorted);
    }
}
