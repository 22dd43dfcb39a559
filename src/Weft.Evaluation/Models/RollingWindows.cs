// lm-evaluation-harness's rolling windows for a whole-text log-likelihood (context length 1): the first window
// predicts the first `window` tokens after the prefix token, each later one the next `window` tokens with just enough
// of what precedes them to fill the window; every token is predicted exactly once.
namespace Weft.Evaluation.Models;

public static class RollingWindows
{
    public static IEnumerable<TokenRequest> Of(int[] tokens, int prefixToken, int window)
    {
        if (tokens.Length == 0) yield break;
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        int first = Math.Min(window, tokens.Length);
        yield return new TokenRequest([prefixToken, .. tokens[..first]], 1);
        int predicted = first;
        while (predicted < tokens.Length)
        {
            int count = Math.Min(tokens.Length - predicted, window);
            int end = predicted + count;
            // input = tokens[end-window-1 .. end-1), scored = tokens[end-count .. end): the sequence is
            // tokens[end-window-1 .. end) with the first window+1-count tokens as context
            int start = Math.Max(0, end - window - 1);
            yield return new TokenRequest(tokens[start..end], end - count - start);
            predicted = end;
        }
    }
}
