// A plain second implementation: Zermelo's / Hunter's MM iteration on strengths, battle by battle, no aggregation.
using Weft.Evaluation.Arena;

namespace Weft.Evaluation.Tests.Arena;

internal static class ReferenceBradleyTerry
{
    /// <summary>π_i ← W_i / Σ_battles of i 1/(π_i + π_j), W_i = wins + ½ ties; ratings 400·log10 π, mean 1000.
    /// Needs every model to have won and lost something (else the maximum is at infinity).</summary>
    public static Dictionary<string, double> Fit(IReadOnlyList<ArenaBattle> battles)
    {
        var names = battles.SelectMany(b => new[] { b.ModelA, b.ModelB }).Distinct().ToList();
        var pi = names.ToDictionary(n => n, _ => 1.0);
        var wins = names.ToDictionary(n => n, _ => 0.0);
        foreach (var b in battles)
        {
            double sa = b.Winner == ArenaWinner.A ? 1 : b.Winner == ArenaWinner.B ? 0 : 0.5;
            wins[b.ModelA] += sa;
            wins[b.ModelB] += 1 - sa;
        }
        for (int iter = 0; iter < 100_000; iter++)
        {
            var denominator = names.ToDictionary(n => n, _ => 0.0);
            foreach (var b in battles)
            {
                double d = 1 / (pi[b.ModelA] + pi[b.ModelB]);
                denominator[b.ModelA] += d;
                denominator[b.ModelB] += d;
            }
            var next = names.ToDictionary(n => n, n => wins[n] / denominator[n]);
            double logMean = next.Values.Average(Math.Log);
            double change = 0;
            foreach (var n in names)
            {
                next[n] /= Math.Exp(logMean);
                change = Math.Max(change, Math.Abs(Math.Log(next[n] / pi[n])));
            }
            pi = next;
            if (change < 1e-12) break;
        }
        var r = names.ToDictionary(n => n, n => 400 * Math.Log10(pi[n]));
        double mean = r.Values.Average();
        return r.ToDictionary(kv => kv.Key, kv => kv.Value - mean + 1000);
    }
}
