// Style control: a model that only wins by writing longer answers is inflated without it and put back with it.
using Weft.Evaluation.Arena;
using static Weft.Evaluation.Tests.Arena.ArenaSimulation;

namespace Weft.Evaluation.Tests.Arena;

public sealed class StyleControlTests
{
    private const double LengthBias = 2.0; // log-odds per unit of (tA − tB)/(tA + tB)

    /// <summary>Four equally strong models; "verbose" writes 400–1000 tokens, the others 100–700, and the voters
    /// prefer the longer answer by <see cref="LengthBias"/>. The first <paramref name="unstyled"/> battles carry no
    /// style features.</summary>
    private static List<ArenaBattle> LengthBiasedBattles(int count, int unstyled, Random rng)
    {
        string[] models = ["verbose", "m1", "m2", "m3"];
        var list = new List<ArenaBattle>(count);
        for (int i = 0; i < count; i++)
        {
            int a = rng.Next(4), b = rng.Next(3);
            if (b >= a) b++;
            int ta = Length(models[a], rng), tb = Length(models[b], rng);
            double p = 1 / (1 + Math.Exp(-LengthBias * (ta - tb) / (double)(ta + tb)));
            var winner = rng.NextDouble() < 0.1 ? ArenaWinner.Tie : rng.NextDouble() < p ? ArenaWinner.A : ArenaWinner.B;
            bool styled = i >= unstyled;
            list.Add(Battle($"s{i}", models[a], models[b], winner,
                styled ? new AnswerStyle(ta, 0, rng.Next(3), 0) : null, styled ? new AnswerStyle(tb, 0, rng.Next(3), 0) : null));
        }
        return list;
    }

    private static int Length(string model, Random rng) => model == "verbose" ? 400 + rng.Next(601) : 100 + rng.Next(601);

    [Fact]
    public void Longer_answers_inflate_a_rating_that_style_control_puts_back()
    {
        var battles = LengthBiasedBattles(12000, unstyled: 500, new Random(RunSeed));
        var plain = ArenaRatings.Compute(battles, new ArenaRatingOptions { Bootstrap = 200, Seed = RunSeed });
        var styled = ArenaRatings.Compute(battles, new ArenaRatingOptions { Bootstrap = 200, Seed = RunSeed, StyleControl = true });
        string report = $"{SeedNote}\nplain: {string.Join("; ", plain.Ratings)}\nstyled: {string.Join("; ", styled.Ratings)}\n"
            + string.Join(", ", styled.StyleCoefficients.Select(kv => $"{kv.Key} {kv.Value:F1}"));

        // without style control verbose wins ~63 % of its battles: ~60 points above the mean of 1000 (standard error ~4)
        Assert.True(plain.Ratings.Single(r => r.Model == "verbose").Rating > 1040, report);
        Assert.Equal("verbose", plain.Ratings[0].Model);
        // with it every model is back near the truth, 1000 (seen within 10)
        Assert.All(styled.Ratings, r => Assert.True(Math.Abs(r.Rating - 1000) < 25, report));
        Assert.True(styled.StyleCoefficients["tokens"] > 0, report);

        Assert.False(plain.StyleControl);
        Assert.True(styled.StyleControl);
        Assert.Equal((12000, 0), (plain.Battles, plain.Skipped));
        Assert.Equal((11500, 500), (styled.Battles, styled.Skipped));
        Assert.Equal(11500, styled.Ratings.Sum(r => r.Battles) / 2);
        // no answer has a header or a bold span: those covariates carry nothing and are left out
        Assert.Equal(["tokens", "list_items"], styled.StyleCoefficients.Keys);
        Assert.Empty(plain.StyleCoefficients);
    }

    [Fact]
    public void Style_control_with_no_style_features_anywhere_rates_nothing()
    {
        var battles = new List<ArenaBattle> { Battle("1", "x", "y", ArenaWinner.A), Battle("2", "y", "x", ArenaWinner.Tie) };
        var board = ArenaRatings.Compute(battles, new ArenaRatingOptions { StyleControl = true });
        Assert.Empty(board.Ratings);
        Assert.Equal((0, 2), (board.Battles, board.Skipped));
    }

    [Fact]
    public void Style_features_that_explain_nothing_leave_the_ratings_where_they_were()
    {
        // identical answers on both sides: every normalized difference is 0, no covariate survives
        var same = new AnswerStyle(100, 1, 2, 3);
        var battles = Battles(new Dictionary<string, double> { ["a"] = 1100, ["b"] = 1000, ["c"] = 900 }, 600, 0.1, new Random(11))
            .Select(b => b with { StyleA = same, StyleB = same }).ToList();
        var plain = ArenaRatings.Compute(battles);
        var styled = ArenaRatings.Compute(battles, new ArenaRatingOptions { StyleControl = true });
        Assert.Empty(styled.StyleCoefficients);
        Assert.Equal(plain.Ratings.Select(r => r.Rating), styled.Ratings.Select(r => r.Rating), (x, y) => Math.Abs(x - y) < 1e-6);
    }
}
