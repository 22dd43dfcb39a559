// How fast a task was scored, as metrics beside its scores: tokens run through the model per second (comparable with
// `weft bench`'s prompt tokens/s; a context shared by several choices is evaluated once) and continuation tokens
// scored per second, both over the task's wall time (templates and tokenization included).
using System.Globalization;

namespace Weft.Evaluation.Running;

public static class ScoringSpeed
{
    public const string EvaluatedTokens = "evaluated_tokens";
    public const string EvaluatedPerSecond = "evaluated_tokens_per_s";
    public const string ScoredTokens = "scored_tokens";
    public const string ScoredPerSecond = "scored_tokens_per_s";

    /// <summary>Adds the counts and rates to <paramref name="metrics"/>; <paramref name="evaluated"/> null (a remote
    /// model) adds only the scored ones.</summary>
    public static void Add(Dictionary<string, double> metrics, long? evaluated, long scored, double seconds)
    {
        if (seconds <= 0) return;
        if (evaluated is long e)
        {
            metrics[EvaluatedTokens] = e;
            metrics[EvaluatedPerSecond] = e / seconds;
        }
        metrics[ScoredTokens] = scored;
        metrics[ScoredPerSecond] = scored / seconds;
    }

    /// <summary>"1234 tok/s evaluated, 56 scored", for the progress line.</summary>
    public static string Summary(IReadOnlyDictionary<string, double> metrics)
    {
        if (!metrics.TryGetValue(ScoredPerSecond, out double scored)) return "";
        string evaluated = metrics.TryGetValue(EvaluatedPerSecond, out double e) ? e.ToString("F1", CultureInfo.InvariantCulture) + " tok/s evaluated, " : "";
        return $"{evaluated}{scored.ToString("F1", CultureInfo.InvariantCulture)} tok/s scored";
    }
}
