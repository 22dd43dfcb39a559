// Generate-until tasks: greedy answers cut at the stop strings, an optional regex extraction (first or last match,
// group 1 when the pattern has one, "[invalid]" when nothing matches), then exact match against the target.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Weft.Evaluation.Models;
using Weft.Evaluation.Results;
using Weft.Evaluation.Tasks;

namespace Weft.Evaluation.Scoring;

public static class GenerateUntil
{
    public const string Invalid = "[invalid]";

    public static (Dictionary<string, double> Metrics, List<ItemResult> Items) Run(TaskDefinition task, IReadOnlyList<JsonElement> docs,
        IReadOnlyList<int> selected, IEvalModel model, Action<int, int>? progress, CancellationToken cancel)
    {
        var templates = new DocTemplates(task);
        var shots = new FewShot(task, templates, docs);
        var gen = task.Generation;
        var requests = selected.Select(i => new GenerateRequest(shots.Prefix(i) + templates.Text(docs[i]), gen.Until, gen.MaxTokens)).ToList();
        var outputs = model.GenerateUntil(requests, done => progress?.Invoke(done, requests.Count), cancel);
        var regex = gen.Regex is { } p ? new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)) : null;
        var matches = new List<double>();
        var items = new List<ItemResult>();
        for (int k = 0; k < selected.Count; k++)
        {
            var (_, target) = templates.Target(docs[selected[k]], []);
            string answer = Extract(outputs[k], regex, gen.LastMatch);
            bool ok = Normalize(answer, gen) == Normalize(target, gen);
            matches.Add(ok ? 1 : 0);
            items.Add(new ItemResult(selected[k], 1, ok ? 1 : 0, [], [], outputs[k]));
        }
        return (new Dictionary<string, double>
        {
            ["exact_match"] = Statistics.Mean(matches),
            ["exact_match_stderr"] = Statistics.StandardError(matches),
        }, items);
    }

    public static string Extract(string output, Regex? regex, bool last)
    {
        if (regex == null) return output;
        var all = regex.Matches(output);
        if (all.Count == 0) return Invalid;
        var m = last ? all[^1] : all[0];
        return m.Groups.Count > 1 ? m.Groups[1].Value : m.Value;
    }

    private static string Normalize(string s, GenerationSpec gen)
    {
        s = s.Trim();
        if (gen.IgnoreCase) s = s.ToLowerInvariant();
        if (gen.IgnorePunctuation)
        {
            var sb = new StringBuilder(s.Length);
            foreach (char c in s) if (!char.IsPunctuation(c)) sb.Append(c);
            s = sb.ToString();
        }
        return s.Normalize(NormalizationForm.FormC).ToString(CultureInfo.InvariantCulture);
    }
}
