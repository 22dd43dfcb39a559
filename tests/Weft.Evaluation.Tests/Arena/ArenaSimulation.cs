// Battles drawn from known ratings, and the seed of this test run (WEFT_ARENA_SEED repeats one).
using Weft.Evaluation.Arena;

namespace Weft.Evaluation.Tests.Arena;

internal static class ArenaSimulation
{
    /// <summary>A fresh seed each run unless WEFT_ARENA_SEED names one; assertion messages print it.</summary>
    public static int RunSeed { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("WEFT_ARENA_SEED"), out int s) ? s : Random.Shared.Next();

    public static string SeedNote => $"WEFT_ARENA_SEED={RunSeed}";

    /// <summary>P(a beats b) on the Elo scale.</summary>
    public static double Expected(double ra, double rb) => 1 / (1 + Math.Pow(10, (rb - ra) / 400));

    /// <summary><paramref name="count"/> battles between random pairs of <paramref name="truth"/>'s models. A battle is
    /// a tie with probability <paramref name="tieRate"/> (half tie, half both_bad), else decisive with the probability
    /// that keeps A's expected score (a tie scoring ½) at <see cref="Expected"/>, so the true ratings stay the
    /// maximum-likelihood target.</summary>
    public static List<ArenaBattle> Battles(IReadOnlyDictionary<string, double> truth, int count, double tieRate, Random rng)
    {
        var names = truth.Keys.ToArray();
        var list = new List<ArenaBattle>(count);
        for (int i = 0; i < count; i++)
        {
            int a = rng.Next(names.Length), b = rng.Next(names.Length - 1);
            if (b >= a) b++;
            double p = Expected(truth[names[a]], truth[names[b]]);
            double q = (p - tieRate / 2) / (1 - tieRate);
            if (q < 0 || q > 1) throw new ArgumentException($"tie rate {tieRate} cannot keep P = {p}");
            ArenaWinner winner = rng.NextDouble() < tieRate
                ? (rng.Next(2) == 0 ? ArenaWinner.Tie : ArenaWinner.BothBad)
                : rng.NextDouble() < q ? ArenaWinner.A : ArenaWinner.B;
            list.Add(Battle($"b{i}", names[a], names[b], winner));
        }
        return list;
    }

    public static ArenaBattle Battle(string id, string a, string b, ArenaWinner w, AnswerStyle? sa = null, AnswerStyle? sb = null) =>
        new(id, a, b, w, "", sa, sb, DateTimeOffset.UnixEpoch);

    /// <summary>The truth shifted so its mean is 1000, as the fit centres its ratings.</summary>
    public static Dictionary<string, double> Centred(IReadOnlyDictionary<string, double> truth)
    {
        double mean = truth.Values.Average();
        return truth.ToDictionary(kv => kv.Key, kv => kv.Value - mean + 1000);
    }
}
