// Models × tasks from stored runs, ranked by the mean of each task's primary metric put on one 0..1 scale.
using System.Text.Json.Serialization;
using Weft.Evaluation.Results;

namespace Weft.Evaluation.Reports;

/// <summary>One model's line: its facts, its run per task (absent when not run), per task the normalised score
/// (0..1, higher is better; absent for failed runs) and their mean.</summary>
public sealed record LeaderboardRow(
    [property: JsonPropertyName("model")] ModelFacts Model,
    [property: JsonPropertyName("runs")] IReadOnlyDictionary<string, TaskRun> Runs,
    [property: JsonPropertyName("average")] double? Average,
    [property: JsonPropertyName("scores")] IReadOnlyDictionary<string, double>? Scores = null);

/// <summary>The leaderboard: task names (columns) and rows ranked best first.</summary>
public sealed record Leaderboard(
    [property: JsonPropertyName("tasks")] IReadOnlyList<string> Tasks,
    [property: JsonPropertyName("rows")] IReadOnlyList<LeaderboardRow> Rows)
{
    /// <summary>Builds the board from facts and runs (the latest per (model, task) is taken when several are given).
    /// A model with runs but no facts gets a row with kind "unknown". Rows are ranked by <see cref="LeaderboardRow.Average"/>
    /// (highest first; rows without one last), then by name. See <see cref="Normalise"/> for the scale.</summary>
    public static Leaderboard Build(IEnumerable<ModelFacts> models, IEnumerable<TaskRun> runs, string? task = null)
    {
        var latest = runs.Where(r => task == null || r.Task == task)
            .GroupBy(r => (r.Model, r.Task))
            .Select(g => g.MaxBy(r => r.Finished)!)
            .ToList();
        var tasks = latest.Select(r => r.Task).Distinct().Order(StringComparer.Ordinal).ToList();
        var facts = new Dictionary<string, ModelFacts>(StringComparer.Ordinal);
        foreach (var m in models) facts[m.Model] = m;
        foreach (var r in latest)
            if (!facts.ContainsKey(r.Model)) facts[r.Model] = new ModelFacts(r.Model, "unknown", r.Model, null, null, null, null, null, null, null, null, null, null);

        var scores = new Dictionary<(string Model, string Task), double>();
        foreach (var group in latest.Where(Usable).GroupBy(r => r.Task))
        {
            var list = group.ToList();
            var values = Normalise(list.Select(r => r.Metrics[r.Primary]).ToList(), list[0].Primary, list[0].HigherIsBetter);
            for (int i = 0; i < list.Count; i++) scores[(list[i].Model, list[i].Task)] = values[i];
        }

        var rows = facts.Values.Select(m =>
        {
            var own = latest.Where(r => r.Model == m.Model).ToDictionary(r => r.Task, r => r, StringComparer.Ordinal);
            var mine = tasks.Where(t => scores.ContainsKey((m.Model, t))).ToDictionary(t => t, t => scores[(m.Model, t)], StringComparer.Ordinal);
            // KL divergence measures closeness to a base, not quality: shown, not averaged.
            var quality = mine.Where(p => !p.Key.EndsWith(":kld", StringComparison.Ordinal)).Select(p => p.Value).ToList();
            double? average = quality.Count == 0 ? null : quality.Average();
            return new LeaderboardRow(m, own, average, mine);
        });
        var ranked = rows.OrderBy(r => r.Average is null ? 1 : 0).ThenByDescending(r => r.Average ?? 0)
            .ThenBy(r => r.Model.Model, StringComparer.Ordinal).ToList();
        return new Leaderboard(tasks, ranked);
    }

    /// <summary>Puts one task's primary values (one per model) on a 0..1 scale, higher better, so tasks can be averaged:
    /// <list type="bullet">
    /// <item>higher is better and every value in [0, 1] (accuracy, exact match, same-top share): the value itself, so
    /// chance stays chance whatever else was run;</item>
    /// <item>higher is better otherwise: value / the best value;</item>
    /// <item>lower is better, perplexity-like (the name holds "ppl" or "perplexity"): best / value, the ratio of
    /// perplexities (the best model scores 1; one with twice its perplexity 0.5);</item>
    /// <item>lower is better otherwise, log-like (kld, bits per byte, nll): exp(−(value − best)), the same likelihood
    /// ratio for a quantity already on a log scale (a KL divergence of 0 against the base scores 1).</item>
    /// </list>Results are clamped to [0, 1].</summary>
    public static IReadOnlyList<double> Normalise(IReadOnlyList<double> values, string metric, bool higherIsBetter)
    {
        if (values.Count == 0) return [];
        double[] result = new double[values.Count];
        if (higherIsBetter)
        {
            bool fractions = values.All(v => v is >= 0 and <= 1);
            double best = values.Max();
            for (int i = 0; i < values.Count; i++)
                result[i] = fractions ? values[i] : best > 0 ? values[i] / best : 0;
        }
        else
        {
            bool perplexity = metric.Contains("ppl", StringComparison.OrdinalIgnoreCase)
                || metric.Contains("perplexity", StringComparison.OrdinalIgnoreCase);
            double best = values.Min();
            for (int i = 0; i < values.Count; i++)
                result[i] = perplexity && best > 0 ? best / values[i] : Math.Exp(-(values[i] - best));
        }
        for (int i = 0; i < result.Length; i++) result[i] = double.IsFinite(result[i]) ? Math.Clamp(result[i], 0, 1) : 0;
        return result;
    }

    /// <summary>A run that counts: no error, and its primary metric present and finite.</summary>
    public static bool Usable(TaskRun run) =>
        run.Error == null && run.Metrics.TryGetValue(run.Primary, out double v) && double.IsFinite(v);
}
