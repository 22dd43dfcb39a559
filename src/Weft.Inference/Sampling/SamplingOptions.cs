// Knobs of the sampling chain; defaults follow llama.cpp's command-line defaults.
namespace Weft.Inference.Sampling;

/// <summary>
/// Settings for <see cref="SamplerChain"/>. Every filter has a value that switches it off:
/// <c>TopK = 0</c>, <c>TopP = 1</c>, <c>MinP = 0</c>, <c>RepeatPenalty = 1</c>,
/// <c>FrequencyPenalty = PresencePenalty = 0</c>. <c>Temperature = 0</c> means greedy decoding.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Divides the logits before the random pick; 0 picks the most likely token.</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Keep only the k most likely tokens; 0 keeps all.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Keep the smallest set of most likely tokens whose probabilities add up to at least p; 1 keeps all.</summary>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Drop tokens whose probability is below <c>MinP</c> times the probability of the most likely token; 0 keeps all.</summary>
    public float MinP { get; init; } = 0.05f;

    /// <summary>Repetition penalty for tokens seen in the last <see cref="RepeatLastN"/> tokens; 1 is off.</summary>
    public float RepeatPenalty { get; init; } = 1.0f;

    /// <summary>How many of the most recent tokens the penalties look at; 0 switches penalties off, -1 means the whole history.</summary>
    public int RepeatLastN { get; init; } = 64;

    /// <summary>Subtracted from a logit once per occurrence of the token in the penalty window.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>Subtracted from a logit once if the token occurs in the penalty window at all.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>Seed of the random pick; null draws a fresh seed (see <see cref="SamplerChain.Seed"/> for the one used).</summary>
    public ulong? Seed { get; init; }

    /// <summary>Added to the logits of the named token ids before the penalties (OpenAI's logit_bias); -∞ bans a token; null or empty is off.</summary>
    public IReadOnlyDictionary<int, float>? LogitBias { get; init; }

    /// <summary>Greedy decoding (temperature 0) with every other setting at its default.</summary>
    public static SamplingOptions Greedy { get; } = new() { Temperature = 0f };

    /// <summary>True when the random pick is replaced by an argmax.</summary>
    public bool IsGreedy => Temperature == 0f;

    /// <summary>True when no penalty would change any logit.</summary>
    public bool PenaltiesDisabled =>
        RepeatLastN == 0 || (RepeatPenalty == 1f && FrequencyPenalty == 0f && PresencePenalty == 0f);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a setting that has no meaning.</summary>
    public void Validate()
    {
        if (!(Temperature >= 0f) || float.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "temperature must be a finite number >= 0");
        if (TopK < 0)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top-k must be >= 0 (0 = off)");
        if (!(TopP >= 0f && TopP <= 1f))
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in [0, 1] (1 = off)");
        if (!(MinP >= 0f && MinP <= 1f))
            throw new ArgumentOutOfRangeException(nameof(MinP), MinP, "min-p must be in [0, 1] (0 = off)");
        if (!(RepeatPenalty > 0f) || float.IsInfinity(RepeatPenalty))
            throw new ArgumentOutOfRangeException(nameof(RepeatPenalty), RepeatPenalty, "repeat penalty must be a finite number > 0 (1 = off)");
        if (RepeatLastN < -1)
            throw new ArgumentOutOfRangeException(nameof(RepeatLastN), RepeatLastN, "repeat-last-n must be >= -1 (-1 = whole history, 0 = off)");
        if (!float.IsFinite(FrequencyPenalty))
            throw new ArgumentOutOfRangeException(nameof(FrequencyPenalty), FrequencyPenalty, "frequency penalty must be finite");
        if (LogitBias != null)
            foreach (var (id, bias) in LogitBias)
                if (id < 0 || float.IsNaN(bias) || float.IsPositiveInfinity(bias))
                    throw new ArgumentOutOfRangeException(nameof(LogitBias), $"logit bias {id}: {bias}; ids must be >= 0 and biases finite or -infinity");
        if (!float.IsFinite(PresencePenalty))
            throw new ArgumentOutOfRangeException(nameof(PresencePenalty), PresencePenalty, "presence penalty must be finite");
    }
}
