// Top-p (nucleus): keep the smallest set of most likely candidates whose probability reaches p.
namespace Weft.Inference.Sampling;

/// <summary>
/// Computes the softmax over the candidates and keeps the shortest prefix in candidate order whose
/// probabilities add up to at least p (always at least one candidate). p = 1 keeps everything.
/// Sorts only as far as needed: first the top 256, doubling while the running sum falls short.
/// </summary>
public sealed class TopPSampler
{
    private const int FirstSortSize = 256;

    public TopPSampler(float p)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "must be in [0, 1]");
        P = p;
    }

    public float P { get; }

    public void Apply(CandidateSet set)
    {
        if (P >= 1f || set.Count <= 1) return;
        set.Softmax();
        var items = set.Items;
        double p = P;
        double sum = 0;
        int keep = items.Length;
        for (int i = 0; i < items.Length; i++)
        {
            if (i >= set.SortedCount) set.SortFirst(Math.Max(FirstSortSize, 2 * i));
            sum += items[i].Probability;
            if (sum >= p)
            {
                keep = i + 1;
                break;
            }
        }
        set.Truncate(keep);
    }
}
