// The three charts people choose a model by: quality against speed, cost and size.
namespace Weft.Evaluation.Reports;

/// <summary>Chart specifications from a leaderboard: Y is each model's average normalised score (0..1); models
/// without an average or without the X figure are left out of that chart.</summary>
public static class TradeOffCharts
{
    public const string QualityLabel = "quality (mean normalised score)";

    public static IReadOnlyList<ChartSpec> For(Leaderboard board)
    {
        var rated = board.Rows.Where(r => r.Average is not null).ToList();
        List<ChartPoint> Points(Func<LeaderboardRow, double?> x) =>
            rated.Where(r => x(r) is double v && double.IsFinite(v))
                .Select(r => new ChartPoint(x(r)!.Value, r.Average!.Value, r.Model.Model)).ToList();
        return
        [
            new ChartSpec("Quality vs generation speed", "generation tokens/s", QualityLabel,
                Points(r => r.Model.GenTps ?? r.Model.PromptTps), XHigherIsBetter: true),
            new ChartSpec("Quality vs cost", "USD per million tokens (blended 3:1)", QualityLabel,
                Points(r => r.Model.CostBlended), XHigherIsBetter: false, LogX: true),
            new ChartSpec("Quality vs file size", "file size (bytes)", QualityLabel,
                Points(r => r.Model.FileBytes), XHigherIsBetter: false, LogX: true),
        ];
    }
}
