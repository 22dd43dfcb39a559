// llama-perplexity's method: the text tokenized once (BOS first when the vocabulary adds one), cut into
// floor(n / ctx) chunks, each evaluated alone with its first token replaced by BOS; the logits at positions
// ctx/2 .. ctx-2 score the next token. PPL = exp(mean NLL) ± the standard error llama-perplexity prints.
using Weft.Evaluation.Models;

namespace Weft.Evaluation.Scoring;

public static class Perplexity
{
    /// <summary>The chunks of <paramref name="tokens"/> as llama-perplexity evaluates them ([chunks][ctx]).</summary>
    public static List<int[]> Chunks(ITokenLevelModel model, int[] tokens, int ctx, int? limit)
    {
        if (ctx < 4) throw new ArgumentException($"--ctx {ctx} is too small for perplexity (at least 4)");
        if (tokens.Length < 2 * ctx)
            throw new ArgumentException($"the text is {tokens.Length} tokens; perplexity at --ctx {ctx} needs at least {2 * ctx} (give more text or a smaller --ctx)");
        int n = tokens.Length / ctx;
        if (limit is int l && l > 0) n = Math.Min(n, l);
        var chunks = new List<int[]>(n);
        for (int j = 0; j < n; j++)
        {
            var c = tokens[(j * ctx)..((j + 1) * ctx)];
            if (model.AddsBos && model.Bos >= 0) c[0] = model.Bos;
            chunks.Add(c);
        }
        return chunks;
    }

    public static Dictionary<string, double> Run(ITokenLevelModel model, string text, int ctx, int? limit, Action<int, int>? progress, CancellationToken cancel)
    {
        var chunks = Chunks(model, model.Tokenize(text, addBos: true), ctx, limit);
        int first = ctx / 2, scored = ctx - first - 1, vocab = model.VocabSize;
        double sum = 0, sum2 = 0;
        long count = 0;
        int done = 0;
        foreach (var group in chunks.Chunk(Math.Max(1, 1024 / ctx)))
        {
            model.ScoreSequences(group, first, (ci, rows) =>
            {
                var chunk = group[ci];
                for (int k = 0; k < scored; k++)
                {
                    double nll = -LogSoftmax.At(rows.Slice(k * vocab, vocab), chunk[first + 1 + k]).LogProb;
                    sum += nll;
                    sum2 += nll * nll;
                    count++;
                }
            }, cancel);
            done += group.Length;
            progress?.Invoke(done, chunks.Count);
        }
        double mean = sum / count, variance = sum2 / count - mean * mean, ppl = Math.Exp(mean);
        return new Dictionary<string, double>
        {
            ["ppl"] = ppl,
            ["ppl_stderr"] = variance > 0 && count > 1 ? Math.Sqrt(variance / (count - 1)) * ppl : 0,
            ["nll"] = mean,
            ["chunks"] = chunks.Count,
            ["tokens_scored"] = count,
            ["ctx"] = ctx,
        };
    }
}
