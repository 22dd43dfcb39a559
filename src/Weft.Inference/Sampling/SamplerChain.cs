// The sampling pipeline in llama.cpp's default order:
// logit bias -> penalties -> top-k -> top-p -> min-p -> temperature -> random pick, or penalties -> greedy at temperature 0.
using System.Security.Cryptography;

namespace Weft.Inference.Sampling;

/// <summary>
/// Turns a row of logits into a token. Built once per sequence from <see cref="SamplingOptions"/>;
/// after construction <see cref="Sample(ReadOnlySpan{float}, ReadOnlySpan{int})"/> allocates nothing.
/// Not thread-safe: one chain per sequence.
/// </summary>
public sealed class SamplerChain
{
    private readonly CandidateSet _candidates;
    private readonly LogitBiasSampler? _bias;
    private readonly PenaltySampler? _penalties;
    private readonly TopKSampler? _topK;
    private readonly TopPSampler? _topP;
    private readonly MinPSampler? _minP;
    private readonly TemperatureSampler? _temperature;
    private readonly GreedySampler? _greedy;
    private readonly DistSampler? _dist;

    public SamplerChain(SamplingOptions options, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        options.Validate();
        Options = options;
        VocabSize = vocabSize;
        Seed = options.Seed ?? FreshSeed();
        _candidates = new CandidateSet(vocabSize);

        if (options.LogitBias is { Count: > 0 } bias) _bias = new LogitBiasSampler(bias, vocabSize);
        if (!options.PenaltiesDisabled)
            _penalties = new PenaltySampler(vocabSize, options.RepeatLastN, options.RepeatPenalty, options.FrequencyPenalty, options.PresencePenalty);

        if (options.IsGreedy)
        {
            _greedy = new GreedySampler();
            return;
        }
        if (options.TopK > 0) _topK = new TopKSampler(options.TopK);
        if (options.TopP < 1f) _topP = new TopPSampler(options.TopP);
        if (options.MinP > 0f) _minP = new MinPSampler(options.MinP);
        if (options.Temperature != 1f) _temperature = new TemperatureSampler(options.Temperature);
        _dist = new DistSampler(Seed);
    }

    public SamplingOptions Options { get; }

    public int VocabSize { get; }

    /// <summary>The seed of the random pick: <see cref="SamplingOptions.Seed"/>, or the one drawn when that was null.</summary>
    public ulong Seed { get; }

    /// <summary>Picks the next token from <paramref name="logits"/> (one per vocabulary entry, no NaN);
    /// <paramref name="history"/> holds the tokens so far (prompt and generated), oldest first, for the penalties.</summary>
    public int Sample(ReadOnlySpan<float> logits, ReadOnlySpan<int> history)
    {
        if (logits.Length != VocabSize)
            throw new ArgumentException($"expected {VocabSize} logits, got {logits.Length}", nameof(logits));
        var set = _candidates;
        set.Load(logits);
        _bias?.Apply(set);
        _penalties?.Apply(set, history);
        if (_greedy is not null) return _greedy.Select(set);
        _topK?.Apply(set);
        _topP?.Apply(set);
        _minP?.Apply(set);
        _temperature?.Apply(set);
        return _dist!.Select(set);
    }

    /// <summary>
    /// As <see cref="Sample(ReadOnlySpan{float}, ReadOnlySpan{int})"/> (same token, same random draw), and also returns
    /// the distribution the token was drawn from: the surviving candidates with their final probabilities, most likely first.
    /// With temperature 0 that is the picked token alone with probability 1. The span is valid until the next call.
    /// </summary>
    public int Sample(ReadOnlySpan<float> logits, ReadOnlySpan<int> history, out ReadOnlySpan<TokenCandidate> candidates)
    {
        int token = Sample(logits, history);
        var set = _candidates;
        if (_greedy is not null)
        {
            var items = set.Items;
            items[0] = items[token] with { Probability = 1.0 }; // still in id order after the penalties
            if (set.Count > 1) set.Truncate(1);
            set.MarkUnsorted();
        }
        else
        {
            set.SortAll();
        }
        candidates = set.Items;
        return token;
    }

    /// <summary>Restarts the random sequence from <see cref="Seed"/>, as if the chain were new.</summary>
    public void Reset() => _dist?.Reset();

    private static ulong FreshSeed()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }
}
