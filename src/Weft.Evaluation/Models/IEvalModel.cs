// The one model interface every task scores through: lm-evaluation-harness's three requests.
namespace Weft.Evaluation.Models;

/// <summary>Score <see cref="Continuation"/> after <see cref="Context"/> (both text; the continuation usually starts
/// with the target delimiter, e.g. " Paris").</summary>
public sealed record LoglikelihoodRequest(string Context, string Continuation);

/// <summary>Sum of the continuation tokens' log-probabilities (natural log), whether greedy decoding would have
/// produced exactly those tokens, and how many tokens the continuation was.</summary>
public readonly record struct LoglikelihoodResult(double LogLikelihood, bool IsGreedy, int Tokens);

/// <summary>Sum of every token's log-probability over a whole text (lm-evaluation-harness's rolling windows) and the
/// token count.</summary>
public readonly record struct RollingResult(double LogLikelihood, int Tokens);

/// <summary>Generate greedily after <see cref="Context"/> until one of <see cref="Until"/> appears (not included) or
/// <see cref="MaxTokens"/> tokens.</summary>
public sealed record GenerateRequest(string Context, IReadOnlyList<string> Until, int MaxTokens);

public interface IEvalModel : IDisposable
{
    /// <summary>How the model is named in tables (file name, `base+adapter`, or the remote model id).</summary>
    string Name { get; }

    /// <summary>local | remote.</summary>
    string Kind { get; }

    /// <summary>Results in request order; <paramref name="progress"/> receives the number of requests finished so far.</summary>
    IReadOnlyList<LoglikelihoodResult> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, Action<int>? progress = null, CancellationToken cancel = default);

    IReadOnlyList<RollingResult> LoglikelihoodRolling(IReadOnlyList<string> texts, Action<int>? progress = null, CancellationToken cancel = default);

    IReadOnlyList<string> GenerateUntil(IReadOnlyList<GenerateRequest> requests, Action<int>? progress = null, CancellationToken cancel = default);
}

/// <summary>A model evaluated in this process: it also exposes tokens and full logits, which perplexity and KL
/// divergence need.</summary>
public interface ITokenLevelModel : IEvalModel
{
    int VocabSize { get; }

    /// <summary>Tokens of <paramref name="text"/>, with the model's BOS first when its vocabulary adds one.</summary>
    int[] Tokenize(string text, bool addBos);

    /// <summary>The BOS id, or -1 when the vocabulary has none.</summary>
    int Bos { get; }

    /// <summary>True when the vocabulary adds BOS to a prompt (llama.cpp's add_bos).</summary>
    bool AddsBos { get; }

    /// <summary>Evaluates each sequence from an empty cache and calls <paramref name="rows"/> with the sequence index
    /// and the logits of positions first..length-2 ([length-1-first, vocab]), all sequences of equal length.</summary>
    void ScoreSequences(IReadOnlyList<int[]> sequences, int first, Action<int, ReadOnlySpan<float>> rows, CancellationToken cancel = default);

    /// <summary>A text that fingerprints the vocabulary (size and every token's text), to refuse KL divergence
    /// between models that do not share one.</summary>
    string VocabularyFingerprint { get; }
}

/// <summary>An evaluation model failed (could not load, a remote endpoint gave up): the run goes on with the others.</summary>
public sealed class EvalModelException(string message, Exception? inner = null) : Exception(message, inner);
