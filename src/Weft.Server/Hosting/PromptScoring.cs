// Scores a prompt: the log-probability of each of its tokens given the ones before it, from one evaluation of the
// whole prompt with the logits of every position (the first token has nothing before it, so no score).
using Weft.Inference.Sampling;
using Weft.Models.Transformer;

namespace Weft.Server.Hosting;

internal static class PromptScoring
{
    /// <summary>
    /// Evaluates <paramref name="tokens"/> as a sequence of its own (the session is reset first) and returns, per token,
    /// its log-probability under the raw softmax of the previous position's logits with the <paramref name="top"/> most
    /// likely tokens there; entry 0 is null.
    /// </summary>
    public static TokenProbabilities?[] Score(DecoderSession session, ReadOnlySpan<int> tokens, int top, CancellationToken cancel)
    {
        int vocab = session.Model.Config.VocabSize;
        var result = new TokenProbabilities?[tokens.Length];
        session.Reset();
        var logits = new float[session.MaxBatch * vocab]; // [rows of a chunk, vocab]
        for (int start = 0; start < tokens.Length; start += session.MaxBatch)
        {
            cancel.ThrowIfCancellationRequested();
            int n = Math.Min(session.MaxBatch, tokens.Length - start);
            session.Evaluate(tokens.Slice(start, n), logits, allLogits: true);
            // row r holds the logits after position start + r: they score the token at start + r + 1
            for (int r = 0; r < n && start + r + 1 < tokens.Length; r++)
            {
                var row = logits.AsSpan(r * vocab, vocab);
                int token = tokens[start + r + 1];
                var best = new TokenLogProbability[Math.Min(top, vocab)];
                LogProbabilities.Top(row, best);
                result[start + r + 1] = new TokenProbabilities(token, LogProbabilities.Of(row, token), best);
            }
        }
        return result;
    }
}
