// The seeded random pick from the softmax of whatever candidates are left.
namespace Weft.Inference.Sampling;

/// <summary>
/// Draws one token with probability softmax(logits) over the current candidates, using exactly one
/// 53-bit uniform draw per call (also when a single candidate is left), so token n always uses draw n.
/// Fills in the candidates' probabilities.
/// </summary>
public sealed class DistSampler
{
    private Xoshiro256StarStar _rng;

    public DistSampler(ulong seed)
    {
        Seed = seed;
        _rng = new Xoshiro256StarStar(seed);
    }

    public ulong Seed { get; }

    /// <summary>Restarts the random sequence from <see cref="Seed"/>.</summary>
    public void Reset() => _rng = new Xoshiro256StarStar(Seed);

    public int Select(CandidateSet set)
    {
        if (set.Count == 0) throw new InvalidOperationException("no candidates to pick from");
        double u = _rng.NextDouble();
        var items = set.Items;
        if (items.Length == 1)
        {
            items[0].Probability = 1.0;
            return items[0].Id;
        }
        set.Softmax();

        // target against the sum taken in the same order as the running sum, so that the running sum
        // is guaranteed to pass it, and a zero-probability candidate can never be the one that does
        double total = 0;
        for (int i = 0; i < items.Length; i++) total += items[i].Probability;
        double target = u * total;
        double running = 0;
        for (int i = 0; i < items.Length; i++)
        {
            running += items[i].Probability;
            if (running > target) return items[i].Id;
        }
        for (int i = items.Length - 1; i > 0; i--)
        {
            if (items[i].Probability > 0) return items[i].Id;
        }
        return items[0].Id;
    }
}
