// The Bradley–Terry fit: exact small cases, ties, the truth recovered from simulated votes, a second implementation,
// bootstrap determinism, settledness and refused battles.
using Weft.Evaluation.Arena;
using static Weft.Evaluation.Tests.Arena.ArenaSimulation;

namespace Weft.Evaluation.Tests.Arena;

public sealed class ArenaRatingsTests
{
    private static readonly ArenaRatingOptions Quick = new() { Bootstrap = 200 };

    /// <summary>Rating points the fit's tiny ridge (λ = 1e-6, there for identifiability) may move a handful of votes
    /// from the exact maximum: measured 1e-4 with four votes, less with more.</summary>
    private const double RidgeBias = 1e-3;

    private static ArenaRating Of(ArenaLeaderboard board, string model) => board.Ratings.Single(r => r.Model == model);

    private static List<ArenaBattle> Repeat(string a, string b, ArenaWinner w, int times, string prefix) =>
        Enumerable.Range(0, times).Select(i => Battle($"{prefix}{i}", a, b, w)).ToList();

    [Fact]
    public void Three_wins_in_four_put_the_winner_400_log10_3_points_ahead_around_1000()
    {
        var battles = Repeat("x", "y", ArenaWinner.A, 3, "w").Concat(Repeat("y", "x", ArenaWinner.A, 1, "l")).ToList();
        var board = ArenaRatings.Compute(battles, Quick);
        double gap = 400 * Math.Log10(3); // P = 3/4 at the maximum of the likelihood
        Assert.Equal(1000 + gap / 2, Of(board, "x").Rating, RidgeBias);
        Assert.Equal(1000 - gap / 2, Of(board, "y").Rating, RidgeBias);
        Assert.Equal(["x", "y"], board.Ratings.Select(r => r.Model));
        Assert.Equal((4, 3, 0, 1), (Of(board, "x").Battles, Of(board, "x").Wins, Of(board, "x").Ties, Of(board, "x").Losses));
        Assert.Equal((4, 1, 0, 3), (Of(board, "y").Battles, Of(board, "y").Wins, Of(board, "y").Ties, Of(board, "y").Losses));
    }

    [Theory]
    [InlineData(ArenaWinner.Tie)]
    [InlineData(ArenaWinner.BothBad)]
    public void A_tie_is_half_a_win_each_way(ArenaWinner tie)
    {
        // x: one win and two ties against y → score 2 of 3 → P = 2/3, a gap of 400·log10 2
        var battles = new List<ArenaBattle> { Battle("1", "x", "y", ArenaWinner.A), Battle("2", "x", "y", tie), Battle("3", "y", "x", tie) };
        var board = ArenaRatings.Compute(battles, Quick);
        Assert.Equal(400 * Math.Log10(2), Of(board, "x").Rating - Of(board, "y").Rating, RidgeBias);
        Assert.Equal((3, 1, 2, 0), (Of(board, "x").Battles, Of(board, "x").Wins, Of(board, "x").Ties, Of(board, "x").Losses));
        Assert.Equal((3, 0, 2, 1), (Of(board, "y").Battles, Of(board, "y").Wins, Of(board, "y").Ties, Of(board, "y").Losses));
    }

    [Fact]
    public void Only_ties_give_equal_ratings()
    {
        var board = ArenaRatings.Compute(Repeat("x", "y", ArenaWinner.Tie, 5, "t"), Quick);
        Assert.All(board.Ratings, r => Assert.Equal(1000, r.Rating, 1e-6));
    }

    [Fact]
    public void Simulated_votes_give_back_the_true_order_and_intervals_that_hold_the_truth()
    {
        var truth = new Dictionary<string, double>
        {
            ["m0"] = 1180, ["m1"] = 1100, ["m2"] = 1020, ["m3"] = 940, ["m4"] = 860, ["m5"] = 780,
        };
        var battles = Battles(truth, 8000, tieRate: 0.15, new Random(RunSeed));
        var board = ArenaRatings.Compute(battles, new ArenaRatingOptions { Bootstrap = 300, Seed = RunSeed });
        var centred = Centred(truth);
        string report = $"{SeedNote}\n" + string.Join("\n", board.Ratings.Select(r =>
            $"{r.Model}: {r.Rating:F1} [{r.Lower:F1}, {r.Upper:F1}] truth {centred[r.Model]:F1}"));
        Assert.True(truth.OrderByDescending(kv => kv.Value).Select(kv => kv.Key).SequenceEqual(board.Ratings.Select(r => r.Model)), report);
        Assert.Equal(1000, board.Ratings.Average(r => r.Rating), 1e-6);
        int inside = board.Ratings.Count(r => r.Lower <= centred[r.Model] && centred[r.Model] <= r.Upper);
        Assert.True(inside >= 4, $"only {inside} of 6 intervals hold the truth\n{report}");
        // each model has ~2700 votes: its standard error is under 10 points, so a 95 % interval is well under 60 wide
        Assert.All(board.Ratings, r => Assert.True(r.Upper - r.Lower is > 5 and < 60 && r.Lower < r.Rating && r.Rating < r.Upper, report));
        Assert.True(board.Settled, report);
        Assert.Equal(8000, board.Battles);
        Assert.Equal(battles.Count(b => b.Winner is ArenaWinner.Tie or ArenaWinner.BothBad) * 2, board.Ratings.Sum(r => r.Ties));
    }

    [Fact]
    public void The_fit_agrees_with_a_plain_mm_implementation()
    {
        var rng = new Random(RunSeed + 1);
        var truth = Enumerable.Range(0, 5).ToDictionary(i => $"m{i}", _ => 850 + rng.NextDouble() * 300); // P ≥ 0.15 keeps a 20 % tie rate possible
        var battles = Battles(truth, 1500, tieRate: 0.2, rng);
        // the reference needs every model to have won and lost; at these sizes that always holds, but say so if not
        var board = ArenaRatings.Compute(battles, Quick);
        Assert.All(board.Ratings, r => Assert.True(r.Wins > 0 && r.Losses > 0, $"{SeedNote}: {r}"));
        var reference = ReferenceBradleyTerry.Fit(battles);
        foreach (var r in board.Ratings)
            Assert.True(Math.Abs(r.Rating - reference[r.Model]) < 0.5, $"{SeedNote}: {r.Model} {r.Rating:F3} vs reference {reference[r.Model]:F3}");
    }

    [Fact]
    public void A_model_that_never_lost_gets_a_finite_top_rating()
    {
        var battles = Repeat("champ", "x", ArenaWinner.A, 5, "c").Concat(Repeat("x", "y", ArenaWinner.A, 3, "x")).Concat(Repeat("y", "x", ArenaWinner.A, 2, "y")).ToList();
        var board = ArenaRatings.Compute(battles, Quick);
        Assert.Equal("champ", board.Ratings[0].Model);
        Assert.All(board.Ratings, r => Assert.True(double.IsFinite(r.Rating) && double.IsFinite(r.Lower) && double.IsFinite(r.Upper), r.ToString()));
        Assert.Equal(1000, board.Ratings.Average(r => r.Rating), 1e-6);
        // x against y is still 3:2, whatever champ does
        Assert.Equal(400 * Math.Log10(1.5), Of(board, "x").Rating - Of(board, "y").Rating, RidgeBias);
    }

    [Fact]
    public void The_bootstrap_is_deterministic_for_a_seed_and_changes_with_it()
    {
        var battles = Battles(new Dictionary<string, double> { ["a"] = 1050, ["b"] = 1000, ["c"] = 950 }, 300, 0.1, new Random(7));
        var one = ArenaRatings.Compute(battles, new ArenaRatingOptions { Bootstrap = 250, Seed = 5 });
        var two = ArenaRatings.Compute(battles, new ArenaRatingOptions { Bootstrap = 250, Seed = 5 });
        var other = ArenaRatings.Compute(battles, new ArenaRatingOptions { Bootstrap = 250, Seed = 6 });
        Assert.Equal(one.Ratings, two.Ratings);
        Assert.Equal(one.Ratings.Select(r => r.Rating), other.Ratings.Select(r => r.Rating));
        Assert.NotEqual(one.Ratings.Select(r => (r.Lower, r.Upper)), other.Ratings.Select(r => (r.Lower, r.Upper)));
    }

    [Fact]
    public void The_order_of_the_battles_does_not_matter()
    {
        var battles = Battles(new Dictionary<string, double> { ["a"] = 1050, ["b"] = 1000, ["c"] = 950 }, 300, 0.1, new Random(9))
            .Select((b, i) => b with { Time = DateTimeOffset.UnixEpoch.AddMinutes(i % 7) }).ToList();
        var shuffled = battles.OrderBy(_ => Guid.NewGuid()).ToList();
        Assert.Equal(ArenaRatings.Compute(battles, Quick).Ratings, ArenaRatings.Compute(shuffled, Quick).Ratings);
    }

    [Fact]
    public void Fewer_than_200_bootstrap_rounds_are_raised_to_200()
    {
        var battles = Battles(new Dictionary<string, double> { ["a"] = 1050, ["b"] = 950 }, 100, 0.1, new Random(3));
        var few = ArenaRatings.Compute(battles, new ArenaRatingOptions { Bootstrap = 10, Seed = 1 });
        var min = ArenaRatings.Compute(battles, new ArenaRatingOptions { Bootstrap = 200, Seed = 1 });
        var more = ArenaRatings.Compute(battles, new ArenaRatingOptions { Bootstrap = 201, Seed = 1 });
        Assert.Equal(min.Ratings, few.Ratings);
        Assert.NotEqual(min.Ratings, more.Ratings);
    }

    [Fact]
    public void A_handful_of_votes_is_not_settled_and_many_clear_ones_are()
    {
        var few = ArenaRatings.Compute(Repeat("x", "y", ArenaWinner.A, 2, "a").Concat(Repeat("y", "x", ArenaWinner.A, 1, "b")).ToList(), Quick);
        Assert.False(few.Settled);
        var many = ArenaRatings.Compute(Repeat("x", "y", ArenaWinner.A, 300, "a").Concat(Repeat("y", "x", ArenaWinner.A, 100, "b")).ToList(), Quick);
        Assert.True(many.Settled, string.Join("; ", many.Ratings));
        Assert.False(ArenaRatings.Settled([new ArenaRating("only", 1000, 990, 1010, 1, 1, 0, 0)]));
        Assert.False(ArenaRatings.Settled([new ArenaRating("a", 1100, 1050, 1150, 10, 10, 0, 0), new ArenaRating("b", 1000, 900, 1050, 10, 0, 0, 10)]));
        Assert.True(ArenaRatings.Settled([new ArenaRating("a", 1100, 1051, 1150, 10, 10, 0, 0), new ArenaRating("b", 1000, 900, 1050, 10, 0, 0, 10)]));
        // apart, but one model has too few battles for its interval to mean anything
        Assert.False(ArenaRatings.Settled([new ArenaRating("a", 1100, 1051, 1150, 10, 10, 0, 0), new ArenaRating("b", 1000, 900, 1050, ArenaRatings.MinBattles - 1, 0, 0, 9)]));
    }

    [Fact]
    public void No_battles_give_an_empty_unsettled_board()
    {
        var board = ArenaRatings.Compute([]);
        Assert.Empty(board.Ratings);
        Assert.Equal(0, board.Battles);
        Assert.False(board.Settled);
    }

    [Fact]
    public void A_model_against_itself_or_an_unknown_winner_is_refused()
    {
        var self = Assert.Throws<ArgumentException>(() => ArenaRatings.Compute([Battle("s1", "x", "x", ArenaWinner.A)]));
        Assert.Contains("s1", self.Message);
        var unknown = Assert.Throws<ArgumentException>(() => ArenaRatings.Compute([Battle("u1", "x", "y", (ArenaWinner)9)]));
        Assert.Contains("u1", unknown.Message);
    }
}
