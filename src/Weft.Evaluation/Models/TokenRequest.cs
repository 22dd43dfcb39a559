// A scoring request at the token level: the log-probabilities of Tokens[Prefix..] given everything before them.
namespace Weft.Evaluation.Models;

/// <param name="Tokens">the whole sequence, prefix then the scored tokens (BOS first where the model adds one)</param>
/// <param name="Prefix">how many leading tokens are context only (at least 1)</param>
public sealed record TokenRequest(int[] Tokens, int Prefix)
{
    public int Scored => Tokens.Length - Prefix;

    /// <summary>Keeps at most <paramref name="window"/> input positions, dropping context from the left as
    /// lm-evaluation-harness does (the last window + 1 tokens are kept; at least one token of context stays).</summary>
    public TokenRequest FitTo(int window)
    {
        if (Tokens.Length - 1 <= window) return this;
        int drop = Tokens.Length - 1 - window;
        int prefix = Math.Max(1, Prefix - drop);
        return new TokenRequest(Tokens[drop..], prefix);
    }
}
