// lm-evaluation-harness's loglikelihood_rolling metrics over documents: word perplexity, byte perplexity and bits
// per byte (each a ratio of sums over all documents), plus token perplexity.
using System.Text;
using System.Text.RegularExpressions;
using Weft.Evaluation.Models;

namespace Weft.Evaluation.Scoring;

public static partial class RollingPerplexity
{
    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>Words as lm-evaluation-harness counts them: the pieces of a split on runs of white space.</summary>
    public static int Words(string text) => Whitespace().Split(text).Length;

    public static Dictionary<string, double> Run(IEvalModel model, IReadOnlyList<string> texts, Action<int, int>? progress, CancellationToken cancel)
    {
        var results = model.LoglikelihoodRolling(texts, done => progress?.Invoke(done, texts.Count), cancel);
        double ll = 0;
        long words = 0, bytes = 0, tokens = 0;
        for (int i = 0; i < texts.Count; i++)
        {
            ll += results[i].LogLikelihood;
            tokens += results[i].Tokens;
            words += Words(texts[i]);
            bytes += Encoding.UTF8.GetByteCount(texts[i]);
        }
        return new Dictionary<string, double>
        {
            ["word_perplexity"] = Math.Exp(-ll / words),
            ["byte_perplexity"] = Math.Exp(-ll / bytes),
            ["bits_per_byte"] = -ll / bytes / Math.Log(2),
            ["token_perplexity"] = tokens > 0 ? Math.Exp(-ll / tokens) : double.NaN,
            ["documents"] = texts.Count,
            ["tokens"] = tokens,
        };
    }
}
