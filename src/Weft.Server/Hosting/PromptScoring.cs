// Scores a prompt: the log-probability of each of its tokens given the ones before it, from one evaluation of the
// whole prompt with the logits of every position (the first token has nothing before it, so no score), and the most
// likely token after it.
using Weft.Inference.Sampling;
using Weft.Models.Transformer;

namespace Weft.Server.Hosting;

/// <summary>A scored prompt.</summary>
/// <param name="Tokens">per prompt token its log-probability and the most likely tokens at its position; entry 0 null</param>
/// <param name="Next">the most likely token after the prompt (greedy decoding's next token: ties go to the lower id)</param>
public sealed record PromptScore(TokenProbabilities?[] Tokens, TokenProbabilities Next);

internal static class PromptScoring
{
    /// <summary>
    /// Evaluates <paramref name="tokens"/> as a sequence of its own (the session is reset first); every log-probability
    /// is under the raw softmax of the previous position's logits, with the <paramref name="top"/> most likely tokens.
    /// </summary>
    /// <param name="logits">scratch of at least [session.MaxBatch, vocab]</param>
    public static PromptScore Score(DecoderSession session, ReadOnlySpan<int> tokens, int top, float[] logits, CancellationToken cancel)
    {
        int vocab = session.Model.Config.VocabSize;
        if (logits.Length < session.MaxBatch * vocab) throw new ArgumentException("logits scratch too small", nameof(logits));
        var result = new TokenProbabilities?[tokens.Length];
        TokenProbabilities? next = null;
        session.Reset();
        for (int start = 0; start < tokens.Length; start += session.MaxBatch)
        {
            cancel.ThrowIfCancellationRequested();
            int n = Math.Min(session.MaxBatch, tokens.Length - start);
            session.Evaluate(tokens.Slice(start, n), logits, allLogits: true);
            // row r holds the logits after position start + r: they score the token at start + r + 1
            for (int r = 0; r < n; r++)
            {
                var row = logits.AsSpan(r * vocab, vocab);
                var best = new TokenLogProbability[Math.Min(Math.Max(top, 1), vocab)];
                LogProbabilities.Top(row, best);
                if (start + r + 1 < tokens.Length)
                {
                    int token = tokens[start + r + 1];
                    result[start + r + 1] = new TokenProbabilities(token, LogProbabilities.Of(row, token), top == 0 ? [] : best);
                }
                else next = new TokenProbabilities(best[0].Id, best[0].LogProbability, top == 0 ? [] : best);
            }
        }
        return new PromptScore(result, next!);
    }
}
