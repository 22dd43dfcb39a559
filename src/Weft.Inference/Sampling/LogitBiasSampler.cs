// OpenAI's logit_bias: a fixed amount added to the logits of chosen tokens before any other sampler sees them.
namespace Weft.Inference.Sampling;

/// <summary>
/// Adds each bias to its token's logit (negative infinity bans the token). Runs first in the chain, as llama.cpp's
/// logit-bias sampler does, so the penalties and filters see the biased logits.
/// </summary>
public sealed class LogitBiasSampler
{
    private readonly int[] _ids;
    private readonly float[] _biases;

    /// <param name="bias">token id → amount; ids must be below <paramref name="vocabSize"/>, amounts finite or -∞.</param>
    public LogitBiasSampler(IReadOnlyDictionary<int, float> bias, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(bias);
        _ids = new int[bias.Count];
        _biases = new float[bias.Count];
        int i = 0;
        foreach (var (id, amount) in bias.OrderBy(p => p.Key))
        {
            if ((uint)id >= (uint)vocabSize)
                throw new ArgumentOutOfRangeException(nameof(bias), id, $"logit bias names token {id}, outside the vocabulary (0 to {vocabSize - 1})");
            if (float.IsNaN(amount) || float.IsPositiveInfinity(amount))
                throw new ArgumentOutOfRangeException(nameof(bias), amount, $"logit bias of token {id} must be finite or -infinity");
            _ids[i] = id;
            _biases[i++] = amount;
        }
    }

    /// <summary>Applies the biases; the set must still be in id order (straight after <see cref="CandidateSet.Load"/>).</summary>
    public void Apply(CandidateSet set)
    {
        if (!set.IsInIdOrder) throw new InvalidOperationException("logit bias runs on the full candidate set, before any sampler reorders it");
        var items = set.Items;
        for (int i = 0; i < _ids.Length; i++) items[_ids[i]].Logit += _biases[i];
    }
}
