// Top-k: keep the k candidates with the highest logits.
namespace Weft.Inference.Sampling;

/// <summary>
/// Keeps exactly the k first candidates in candidate order (higher logit first, ties by lower id),
/// leaving them sorted. k = 0 (or k at least the number of candidates) keeps everything.
/// </summary>
public sealed class TopKSampler
{
    public TopKSampler(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        K = k;
    }

    public int K { get; }

    public void Apply(CandidateSet set)
    {
        if (K == 0 || K >= set.Count) return;
        set.SortFirst(K);
        set.Truncate(K);
    }
}
