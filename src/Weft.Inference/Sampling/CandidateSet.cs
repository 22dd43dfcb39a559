// The working list of candidates that flows through the sampler chain; preallocated once, reused per token.
namespace Weft.Inference.Sampling;

/// <summary>
/// Candidate tokens with their logits and probabilities. Samplers shrink it (<see cref="Truncate"/>),
/// reorder it (<see cref="SortFirst"/>) and fill in probabilities (<see cref="Softmax"/>); none of these allocate.
/// </summary>
public sealed class CandidateSet
{
    private readonly TokenCandidate[] _items;

    public CandidateSet(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _items = new TokenCandidate[capacity];
    }

    public int Capacity => _items.Length;

    /// <summary>How many candidates are left.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// The leading entries known to be the <c>SortedCount</c> first candidates in candidate order
    /// (higher logit first, ties by lower id), in that order.
    /// </summary>
    public int SortedCount { get; private set; }

    /// <summary>True while entry i is token i for every i (as after <see cref="Load"/>, before any reordering or filtering).</summary>
    public bool IsInIdOrder { get; private set; }

    /// <summary>The current candidates; samplers may change logits and probabilities in place.</summary>
    public Span<TokenCandidate> Items => _items.AsSpan(0, Count);

    /// <summary>Starts over with token i having logit <c>logits[i]</c>; NaN logits are rejected.</summary>
    public void Load(ReadOnlySpan<float> logits)
    {
        if (logits.Length == 0) throw new ArgumentException("no logits", nameof(logits));
        if (logits.Length > _items.Length)
            throw new ArgumentException($"{logits.Length} logits but room for {_items.Length} candidates", nameof(logits));
        var items = _items.AsSpan(0, logits.Length);
        for (int i = 0; i < items.Length; i++)
        {
            float l = logits[i];
            if (float.IsNaN(l)) throw new ArgumentException($"logit of token {i} is NaN", nameof(logits));
            items[i] = new TokenCandidate(i, l, 0.0);
        }
        Count = logits.Length;
        SortedCount = 0;
        IsInIdOrder = true;
    }

    /// <summary>Keeps only the first <paramref name="count"/> candidates.</summary>
    public void Truncate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count >= Count) return;
        Count = count;
        SortedCount = Math.Min(SortedCount, count);
        IsInIdOrder = false;
    }

    /// <summary>Records that filtering in place left <paramref name="count"/> candidates, the first <paramref name="sortedCount"/> of them in order.</summary>
    public void SetFiltered(int count, int sortedCount)
    {
        if ((uint)count > (uint)Count) throw new ArgumentOutOfRangeException(nameof(count));
        if ((uint)sortedCount > (uint)count) throw new ArgumentOutOfRangeException(nameof(sortedCount));
        if (count != Count) IsInIdOrder = false;
        Count = count;
        SortedCount = sortedCount;
    }

    /// <summary>Records that logits changed in a way that may break the known order.</summary>
    public void MarkUnsorted() => SortedCount = 0;

    /// <summary>Makes the first <paramref name="k"/> entries the k first candidates, in order (partial selection, then a sort of those k).</summary>
    public void SortFirst(int k)
    {
        k = Math.Min(k, Count);
        if (k <= SortedCount) return;
        var rest = _items.AsSpan(SortedCount, Count - SortedCount);
        int need = k - SortedCount;
        CandidateOrdering.SelectFirst(rest, need);
        CandidateOrdering.Sort(rest[..need]);
        SortedCount = k;
        IsInIdOrder = false;
    }

    /// <summary>Sorts all candidates into candidate order.</summary>
    public void SortAll() => SortFirst(Count);

    /// <summary>The highest logit among the candidates.</summary>
    public float MaxLogit()
    {
        if (Count == 0) throw new InvalidOperationException("no candidates");
        if (SortedCount > 0) return _items[0].Logit;
        var items = Items;
        float max = items[0].Logit;
        for (int i = 1; i < items.Length; i++)
            if (items[i].Logit > max) max = items[i].Logit;
        return max;
    }

    /// <summary>
    /// Sets each probability to softmax of the logits over the current candidates, computed in double.
    /// If every logit is -inf the candidates are taken as equally likely; if some are +inf, those share all the mass.
    /// </summary>
    public void Softmax()
    {
        if (Count == 0) return;
        var items = Items;
        float max = MaxLogit();
        if (float.IsNegativeInfinity(max))
        {
            double u = 1.0 / items.Length;
            for (int i = 0; i < items.Length; i++) items[i].Probability = u;
            return;
        }
        if (float.IsPositiveInfinity(max))
        {
            int n = 0;
            for (int i = 0; i < items.Length; i++) if (float.IsPositiveInfinity(items[i].Logit)) n++;
            for (int i = 0; i < items.Length; i++)
                items[i].Probability = float.IsPositiveInfinity(items[i].Logit) ? 1.0 / n : 0.0;
            return;
        }
        double sum = 0;
        for (int i = 0; i < items.Length; i++)
        {
            double e = SamplingMath.Exp((double)items[i].Logit - max);
            items[i].Probability = e;
            sum += e;
        }
        for (int i = 0; i < items.Length; i++) items[i].Probability /= sum;
    }
}
