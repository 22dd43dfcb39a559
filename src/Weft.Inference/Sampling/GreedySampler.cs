// Greedy: the most likely token.
namespace Weft.Inference.Sampling;

/// <summary>Picks the candidate with the highest logit; among equal logits the lowest token id.</summary>
public sealed class GreedySampler
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "used as an instance, like the other samplers of the chain")]
    public int Select(CandidateSet set)
    {
        var items = set.Items;
        if (items.IsEmpty) throw new InvalidOperationException("no candidates to pick from");
        int best = 0;
        for (int i = 1; i < items.Length; i++)
        {
            if (CandidateOrdering.Before(items[i], items[best])) best = i;
        }
        return items[best].Id;
    }
}
