// How far a model's next-token distributions are from a base model's on the same text (llama-perplexity's
// --kl-divergence statistics): the perplexity chunks of the base, both models' log-probabilities at every scored
// position; KLD(base ‖ model), Δp of the right token, the share of positions with the same top token, the PPL ratio.
using Weft.Evaluation.Models;

namespace Weft.Evaluation.Scoring;

public static class KlDivergence
{
    private static readonly (string Name, double P)[] Quantiles =
        [("max", 1), ("p99_9", 0.999), ("p99", 0.99), ("p95", 0.95), ("p90", 0.90), ("median", 0.5), ("p10", 0.10), ("p5", 0.05), ("p1", 0.01), ("p0_1", 0.001), ("min", 0)];

    public static Dictionary<string, double> Run(ITokenLevelModel model, ITokenLevelModel baseModel, string text, int ctx, int? limit,
        Action<int, int>? progress, CancellationToken cancel)
    {
        if (model.VocabularyFingerprint != baseModel.VocabularyFingerprint)
            throw new ArgumentException($"--kld-base {baseModel.Name} has another vocabulary ({baseModel.VocabularyFingerprint}) than {model.Name} ({model.VocabularyFingerprint}): KL divergence compares distributions over the same tokens");
        var chunks = Perplexity.Chunks(baseModel, baseModel.Tokenize(text, addBos: true), ctx, limit);
        int first = ctx / 2, scored = ctx - first - 1, vocab = model.VocabSize;
        var kld = new List<double>();
        var dp = new List<double>();
        var nllBase = new List<double>();
        var nllModel = new List<double>();
        int same = 0, done = 0;
        var baseRows = new Dictionary<int, double[]>();
        var lpBase = new double[vocab];
        var lpModel = new double[vocab];
        foreach (var group in chunks.Chunk(Math.Max(1, 512 / ctx)))
        {
            baseRows.Clear();
            baseModel.ScoreSequences(group, first, (ci, rows) =>
            {
                var keep = new double[scored * vocab];
                for (int k = 0; k < scored; k++) LogSoftmax.Row(rows.Slice(k * vocab, vocab), keep.AsSpan(k * vocab, vocab));
                baseRows[ci] = keep;
            }, cancel);
            model.ScoreSequences(group, first, (ci, rows) =>
            {
                var chunk = group[ci];
                var b = baseRows[ci];
                for (int k = 0; k < scored; k++)
                {
                    LogSoftmax.Row(rows.Slice(k * vocab, vocab), lpModel);
                    b.AsSpan(k * vocab, vocab).CopyTo(lpBase);
                    double sum = 0;
                    int topB = 0, topM = 0;
                    for (int v = 0; v < vocab; v++)
                    {
                        double pb = Math.Exp(lpBase[v]);
                        if (pb > 0) sum += pb * (lpBase[v] - lpModel[v]);
                        if (lpBase[v] > lpBase[topB]) topB = v;
                        if (lpModel[v] > lpModel[topM]) topM = v;
                    }
                    int tok = chunk[first + 1 + k];
                    kld.Add(Math.Max(0, sum));
                    dp.Add(Math.Exp(lpModel[tok]) - Math.Exp(lpBase[tok]));
                    nllBase.Add(-lpBase[tok]);
                    nllModel.Add(-lpModel[tok]);
                    if (topB == topM) same++;
                }
            }, cancel);
            done += group.Length;
            progress?.Invoke(done, chunks.Count);
        }
        int n = kld.Count;
        var m = new Dictionary<string, double>();
        m["kld_mean"] = Statistics.Mean(kld);
        m["kld_stderr"] = Statistics.StandardError(kld);
        var sortedK = kld.Order().ToArray();
        foreach (var (name, p) in Quantiles) m["kld_" + name] = Statistics.Percentile(sortedK, p);
        m["dp_mean"] = Statistics.Mean(dp);
        m["dp_stderr"] = Statistics.StandardError(dp);
        var sq = dp.Select(x => x * x).ToArray();
        double msq = Statistics.Mean(sq);
        m["dp_rms"] = Math.Sqrt(msq);
        m["dp_rms_stderr"] = msq > 0 ? Statistics.StandardError(sq) / (2 * Math.Sqrt(msq)) : 0;
        var sortedD = dp.Order().ToArray();
        foreach (var (name, p) in Quantiles) m["dp_" + name] = Statistics.Percentile(sortedD, p);
        double share = (double)same / n;
        m["same_top"] = share;
        m["same_top_stderr"] = n > 1 ? Math.Sqrt(share * (1 - share) / (n - 1)) : 0;
        var diff = nllModel.Zip(nllBase, (a, b) => a - b).ToArray();
        m["ppl"] = Math.Exp(Statistics.Mean(nllModel));
        m["ppl_base"] = Math.Exp(Statistics.Mean(nllBase));
        m["ln_ppl_ratio"] = Statistics.Mean(diff);
        m["ln_ppl_ratio_stderr"] = Statistics.StandardError(diff);
        m["ppl_ratio"] = Math.Exp(m["ln_ppl_ratio"]);
        m["ppl_ratio_stderr"] = m["ppl_ratio"] * m["ln_ppl_ratio_stderr"];
        m["ln_ppl_correlation"] = Statistics.Correlation(nllModel, nllBase);
        m["tokens_scored"] = n;
        m["chunks"] = chunks.Count;
        m["ctx"] = ctx;
        return m;
    }
}
