// Multiple choice: each choice's summed log-likelihood after the context. Three labelled scores: acc (highest sum),
// acc_norm (sum over the choice's length in characters, lm-evaluation-harness) and acc_per_token (mean per token,
// the score llama-perplexity --hellaswag reports), with standard errors and a Wilson interval for the last.
using System.Text.Json;
using Weft.Evaluation.Models;
using Weft.Evaluation.Results;
using Weft.Evaluation.Tasks;

namespace Weft.Evaluation.Scoring;

public static class MultipleChoice
{
    public static (Dictionary<string, double> Metrics, List<ItemResult> Items) Run(TaskDefinition task, IReadOnlyList<JsonElement> docs,
        IReadOnlyList<int> selected, IEvalModel model, Action<int, int>? progress, CancellationToken cancel)
    {
        var templates = new DocTemplates(task);
        var shots = new FewShot(task, templates, docs);
        var requests = new List<LoglikelihoodRequest>();
        var items = new List<(int Index, int Gold, string[] Choices, int First)>();
        foreach (int i in selected)
        {
            var doc = docs[i];
            var choices = templates.Choices(doc).ToArray();
            if (choices.Length == 0) throw new Data.TaskDataException($"{task.Origin}: item {i} has no choices");
            var (gold, _) = templates.Target(doc, choices);
            string prefix = shots.Prefix(i);
            items.Add((i, gold, choices, requests.Count));
            if (task.DocToContinuation != null)
            {
                string continuation = task.TargetDelimiter + templates.Continuation(doc);
                foreach (var c in choices) requests.Add(new LoglikelihoodRequest(prefix + c, continuation));
            }
            else
            {
                string context = prefix + templates.Text(doc);
                foreach (var c in choices) requests.Add(new LoglikelihoodRequest(context, task.TargetDelimiter + c));
            }
        }
        int total = requests.Count;
        var results = model.Loglikelihood(requests, done => progress?.Invoke(done, total), cancel);

        var acc = new List<double>();
        var accNorm = new List<double>();
        var accTok = new List<double>();
        var list = new List<ItemResult>();
        foreach (var (index, gold, choices, first) in items)
        {
            var ll = new double[choices.Length];
            var n = new int[choices.Length];
            var norm = new double[choices.Length];
            var perTok = new double[choices.Length];
            for (int c = 0; c < choices.Length; c++)
            {
                var r = results[first + c];
                ll[c] = r.LogLikelihood;
                n[c] = r.Tokens;
                norm[c] = ll[c] / Math.Max(1, choices[c].EnumerateRunes().Count());
                perTok[c] = ll[c] / Math.Max(1, r.Tokens);
            }
            int pred = Statistics.ArgMax(ll);
            acc.Add(pred == gold ? 1 : 0);
            accNorm.Add(Statistics.ArgMax(norm) == gold ? 1 : 0);
            accTok.Add(Statistics.ArgMax(perTok) == gold ? 1 : 0);
            list.Add(new ItemResult(index, gold, pred, ll, n));
        }
        var (lo, hi) = Statistics.Wilson((int)accTok.Sum(), accTok.Count);
        var metrics = new Dictionary<string, double>
        {
            ["acc"] = Statistics.Mean(acc),
            ["acc_stderr"] = Statistics.StandardError(acc),
            ["acc_norm"] = Statistics.Mean(accNorm),
            ["acc_norm_stderr"] = Statistics.StandardError(accNorm),
            ["acc_per_token"] = Statistics.Mean(accTok),
            ["acc_per_token_stderr"] = Statistics.StandardError(accTok),
            ["acc_per_token_wilson_low"] = lo,
            ["acc_per_token_wilson_high"] = hi,
            ["chance"] = items.Count == 0 ? 0 : items.Average(t => 1.0 / t.Choices.Length),
        };
        return (metrics, list);
    }
}
