// Ranking by the mean of normalised primaries, with lower-is-better metrics turned around.
using Weft.Evaluation.Reports;

namespace Weft.Evaluation.Tests.Reports;

public sealed class LeaderboardTests
{
    [Fact]
    public void Ranks_by_the_average_of_normalised_primaries()
    {
        var models = new[] { Samples.Facts("low"), Samples.Facts("high"), Samples.Facts("idle") };
        var runs = new[]
        {
            Samples.Run("low", "piqa", 0.50), Samples.Run("high", "piqa", 0.70),
            Samples.Run("low", "wiki", 20, "ppl", higher: false), Samples.Run("high", "wiki", 10, "ppl", higher: false),
        };
        var board = Leaderboard.Build(models, runs);
        Assert.Equal(["piqa", "wiki"], board.Tasks);
        Assert.Equal(["high", "low", "idle"], board.Rows.Select(r => r.Model.Model));
        Assert.Equal((0.70 + 1.0) / 2, board.Rows[0].Average!.Value, 12);
        Assert.Equal((0.50 + 10.0 / 20) / 2, board.Rows[1].Average!.Value, 12);
        Assert.Null(board.Rows[2].Average);
    }

    [Fact]
    public void A_better_perplexity_can_outrank_a_better_accuracy()
    {
        var runs = new[]
        {
            Samples.Run("a", "piqa", 0.60), Samples.Run("b", "piqa", 0.62),
            Samples.Run("a", "wiki", 10, "ppl", higher: false), Samples.Run("b", "wiki", 40, "ppl", higher: false),
        };
        var board = Leaderboard.Build([], runs);
        Assert.Equal(["a", "b"], board.Rows.Select(r => r.Model.Model));
        Assert.Equal("unknown", board.Rows[0].Model.Kind); // runs without facts still get a row
    }

    [Fact]
    public void Normalisation_follows_the_documented_rules()
    {
        Assert.Equal([0.25, 0.5], Leaderboard.Normalise([0.25, 0.5], "acc", true));
        Assert.Equal([0.5, 1.0], Leaderboard.Normalise([50, 100], "score", true));
        Assert.Equal([1.0, 0.25], Leaderboard.Normalise([8, 32], "ppl", false));
        Assert.Equal([1.0, 0.5], Leaderboard.Normalise([3, 6], "word_perplexity", false));
        var kld = Leaderboard.Normalise([0.0, 0.1], "kld_mean", false);
        Assert.Equal(1.0, kld[0]);
        Assert.Equal(Math.Exp(-0.1), kld[1], 12);
        Assert.Equal([0.0], Leaderboard.Normalise([double.PositiveInfinity], "ppl", false));
    }

    [Fact]
    public void Failed_runs_are_kept_but_not_scored_and_latest_run_wins()
    {
        var t0 = DateTimeOffset.UnixEpoch;
        var runs = new[]
        {
            Samples.Run("a", "piqa", 0.9, finished: t0), Samples.Run("a", "piqa", 0.4, finished: t0.AddHours(1)),
            Samples.Run("b", "piqa", 0.8, error: "model failed to load"),
        };
        var board = Leaderboard.Build([], runs);
        Assert.Equal(0.4, board.Rows[0].Average);
        Assert.Equal("b", board.Rows[1].Model.Model);
        Assert.Null(board.Rows[1].Average);
        Assert.True(board.Rows[1].Runs.ContainsKey("piqa"));
    }

    [Fact]
    public void A_task_filter_keeps_one_column()
    {
        var runs = new[] { Samples.Run("a", "piqa", 0.6), Samples.Run("a", "arc", 0.2), Samples.Run("b", "arc", 0.3) };
        var board = Leaderboard.Build([], runs, "arc");
        Assert.Equal(["arc"], board.Tasks);
        Assert.Equal(["b", "a"], board.Rows.Select(r => r.Model.Model));
    }

    [Fact]
    public void Markdown_table_has_a_row_per_model_and_shows_stderr()
    {
        var board = Leaderboard.Build([Samples.Facts("m|1", bytes: 3 << 20, gen: 12.5, cost: 0.25)],
            [Samples.Run("m|1", "piqa", 0.6, stderr: 0.02)]);
        string md = MarkdownTable.Render(board);
        var lines = md.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Contains("piqa acc ↑", lines[0]);
        Assert.Contains("m\\|1", lines[2]);
        Assert.Contains("0.6000 ± 0.0200", lines[2]);
        Assert.Contains("3.0 MiB", lines[2]);
        Assert.Contains("12.50", lines[2]);
        Assert.Contains("0.2500", lines[2]);
    }
}
