// Style control's covariates: normalized differences (A − B)/(A + B) of each style feature, z-scored over the battles.
namespace Weft.Evaluation.Arena;

/// <summary>The style columns of a fit, one row per battle: (A − B)/(A + B) of tokens, headers, list items and bold
/// spans (0 when both are 0), each standardized by its mean and population standard deviation over the battles. A
/// feature with no spread (say, no answer ever has a header) is left out: it carries no information.</summary>
internal sealed class StyleCovariates
{
    public static readonly string[] FeatureNames = ["tokens", "headers", "list_items", "bold"];

    private StyleCovariates(string[] names, double[] z)
    {
        Names = names;
        Z = z;
    }

    /// <summary>The features kept, in <see cref="FeatureNames"/> order.</summary>
    public string[] Names { get; }

    /// <summary>[battles, Names.Length] row-major.</summary>
    public double[] Z { get; }

    public int Count => Names.Length;

    public static StyleCovariates Of(IReadOnlyList<ArenaBattle> battles)
    {
        int n = battles.Count, f = FeatureNames.Length;
        var d = new double[n * f];
        for (int i = 0; i < n; i++)
        {
            var a = battles[i].StyleA ?? throw new ArgumentException($"battle '{battles[i].Id}' has no style features for answer A");
            var b = battles[i].StyleB ?? throw new ArgumentException($"battle '{battles[i].Id}' has no style features for answer B");
            d[i * f + 0] = Ratio(a.Tokens, b.Tokens);
            d[i * f + 1] = Ratio(a.Headers, b.Headers);
            d[i * f + 2] = Ratio(a.ListItems, b.ListItems);
            d[i * f + 3] = Ratio(a.BoldSpans, b.BoldSpans);
        }
        var kept = new List<int>();
        var mean = new double[f];
        var sd = new double[f];
        for (int c = 0; c < f; c++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += d[i * f + c];
            mean[c] = n > 0 ? sum / n : 0;
            double sq = 0;
            for (int i = 0; i < n; i++) sq += (d[i * f + c] - mean[c]) * (d[i * f + c] - mean[c]);
            sd[c] = n > 0 ? Math.Sqrt(sq / n) : 0;
            if (sd[c] > 1e-12) kept.Add(c);
        }
        var z = new double[n * kept.Count];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < kept.Count; j++)
                z[i * kept.Count + j] = (d[i * f + kept[j]] - mean[kept[j]]) / sd[kept[j]];
        return new StyleCovariates(kept.Select(c => FeatureNames[c]).ToArray(), z);
    }

    private static double Ratio(int a, int b) => a + b == 0 ? 0 : (double)(a - b) / (a + b);
}
