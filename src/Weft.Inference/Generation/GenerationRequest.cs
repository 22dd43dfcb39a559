// What to generate: the prompt (as token ids), how much, how to sample, when to stop.
using Weft.Inference.Grammar;
using Weft.Inference.Sampling;

namespace Weft.Inference.Generation;

public sealed record GenerationRequest
{
    public required IReadOnlyList<int> Prompt { get; init; }
    /// <summary>Most tokens to generate; generation also ends at the end of the context.</summary>
    public int MaxTokens { get; init; } = 128;
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;
    /// <summary>End at an end-of-generation token (it is not part of the result).</summary>
    public bool StopAtEndOfGeneration { get; init; } = true;
    public IReadOnlyList<string> StopStrings { get; init; } = [];
    /// <summary>
    /// Report each generated token's log-probability and this many most likely alternatives (0 or more); null reports
    /// nothing and costs nothing. Costs two passes over the step's logits and a few small arrays per token.
    /// </summary>
    public int? LogProbabilities { get; init; }
    /// <summary>Tokens of KV context this request may use (prompt and generated); null: all the session or slot holds.</summary>
    public int? ContextSize { get; init; }
    /// <summary>
    /// Constrains the generated text to this grammar (null: free text): refused tokens are masked before the sampler
    /// chain, end-of-generation tokens are allowed only where the grammar may end, and generation ends when the text is
    /// complete and nothing can follow. Needs a tokenizer. Log-probabilities stay those of the unmasked logits.
    /// </summary>
    public Grammar.Grammar? Grammar { get; init; }

    /// <summary>The context this request runs with on a session or slot of <paramref name="available"/> tokens.</summary>
    public int EffectiveContext(int available) => ContextSize is int n ? Math.Min(n, available) : available;
}

public enum FinishReason
{
    /// <summary>MaxTokens were generated.</summary>
    Length,
    /// <summary>The model produced an end-of-generation token.</summary>
    EndOfGeneration,
    /// <summary>A stop string appeared in the text.</summary>
    StopString,
    /// <summary>The context window is full.</summary>
    ContextFull,
    /// <summary>The caller cancelled.</summary>
    Cancelled,
}

public sealed record GenerationResult(
    IReadOnlyList<int> Tokens, string Text, FinishReason Finish, int PromptTokens,
    TimeSpan PromptTime, TimeSpan GenerationTime)
{
    /// <summary>One entry per generated token when the request asked for log-probabilities, else null.</summary>
    public IReadOnlyList<TokenProbabilities>? Probabilities { get; init; }

    public double PromptTokensPerSecond => PromptTokens / Math.Max(PromptTime.TotalSeconds, 1e-9);
    public double GenerationTokensPerSecond => Tokens.Count / Math.Max(GenerationTime.TotalSeconds, 1e-9);
}
