// Arena ratings as Chatbot Arena computes them: a Bradley–Terry fit on the Elo scale, percentile bootstrap intervals,
// optional style control. See docs/arena.md.
namespace Weft.Evaluation.Arena;

/// <summary>Fits ratings to blind battles.</summary>
/// <remarks>
/// The model: P(a beats b) = 1/(1 + 10^((r_b − r_a)/400)), fitted by maximum likelihood (Newton's method on the
/// logistic regression with a +1 column for model A and −1 for model B). A tie and a both_bad vote each count as half
/// a win each way (a decisive battle is one win for the winner); Chatbot Arena writes the same thing as doubling every
/// decisive battle and counting a tie as one win each way, which has the same maximum. Ratings are centred so that
/// the mean rating of the models fitted is 1000. Without style control the fit runs on the battle counts aggregated
/// per pair of models. The 95 % interval of each model is the 2.5th to 97.5th percentile (linearly interpolated) of
/// its centred rating over <see cref="ArenaRatingOptions.Bootstrap"/> refits on battles resampled with replacement;
/// round i draws from a generator seeded by (seed, i) over the battles ordered by time and id, so a seed gives the
/// same intervals on any machine and in whatever order the battles come. A model
/// that no battle of a round involves is left out of that round (its percentiles and the round's centring).
/// Style control adds the z-scored normalized style differences of <see cref="StyleCovariates"/> as covariates;
/// the ratings come from the model coefficients alone, and battles without both answers' style features are skipped
/// (<see cref="ArenaLeaderboard.Skipped"/>).
/// </remarks>
public static class ArenaRatings
{
    public const double MeanRating = 1000;

    /// <summary>Elo points per natural-log unit of strength: 400 / ln 10.</summary>
    public const double EloPerNat = 400 / 2.302585092994046;

    public static ArenaLeaderboard Compute(IReadOnlyList<ArenaBattle> battles, ArenaRatingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(battles);
        options ??= new ArenaRatingOptions();
        foreach (var b in battles) Check(b);
        // in a fixed order (time, then id), so that the same votes give the same intervals however they were listed
        var used = battles.Where(b => !options.StyleControl || (b.StyleA != null && b.StyleB != null))
            .OrderBy(b => b.Time.UtcTicks).ThenBy(b => b.Id, StringComparer.Ordinal).ToList();
        int skipped = battles.Count - used.Count;
        var names = used.SelectMany(b => new[] { b.ModelA, b.ModelB }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (used.Count == 0)
            return new ArenaLeaderboard([], 0, options.StyleControl, false) { Skipped = skipped };
        var index = names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        var data = new Battles(used, index, options.StyleControl ? StyleCovariates.Of(used) : null);

        var ones = new int[used.Count];
        Array.Fill(ones, 1);
        double[] fit = BradleyTerryFit.Solve(data.Rows(ones), names.Length);
        double[] point = Centred(fit, names.Length, present: null);

        int rounds = Math.Max(options.Bootstrap, ArenaRatingOptions.MinBootstrap);
        var samples = new double[rounds][];
        Parallel.For(0, rounds, round =>
        {
            var rng = new BootstrapRandom(options.Seed, round);
            var counts = new int[used.Count];
            for (int i = 0; i < counts.Length; i++) counts[rng.Next(counts.Length)]++;
            var present = new bool[names.Length];
            for (int i = 0; i < counts.Length; i++)
                if (counts[i] > 0) present[data.ModelA[i]] = present[data.ModelB[i]] = true;
            samples[round] = Centred(BradleyTerryFit.Solve(data.Rows(counts), names.Length, fit), names.Length, present);
        });

        var ratings = new List<ArenaRating>(names.Length);
        for (int m = 0; m < names.Length; m++)
        {
            var values = samples.Select(s => s[m]).Where(v => !double.IsNaN(v)).Order().ToArray();
            double lower = values.Length > 0 ? Percentile(values, 0.025) : point[m];
            double upper = values.Length > 0 ? Percentile(values, 0.975) : point[m];
            var (wins, ties, losses) = data.Record(m);
            ratings.Add(new ArenaRating(names[m], point[m], lower, upper, wins + ties + losses, wins, ties, losses));
        }
        ratings = ratings.OrderByDescending(r => r.Rating).ThenBy(r => r.Model, StringComparer.Ordinal).ToList();
        var style = new Dictionary<string, double>();
        if (data.Style != null)
            for (int c = 0; c < data.Style.Count; c++) style[data.Style.Names[c]] = fit[names.Length + c] * EloPerNat;
        return new ArenaLeaderboard(ratings, used.Count, options.StyleControl, Settled(ratings)) { Skipped = skipped, StyleCoefficients = style };
    }

    /// <summary>Battles each model needs before a board can be settled: with a handful the bootstrap intervals are
    /// too narrow to mean anything (one battle gives intervals of zero width).</summary>
    public const int MinBattles = 10;

    /// <summary>True when there are two models or more, each with <see cref="MinBattles"/> battles or more, and no two
    /// 95 % intervals overlap.</summary>
    public static bool Settled(IReadOnlyList<ArenaRating> ratings)
    {
        if (ratings.Count < 2 || ratings.Any(r => r.Battles < MinBattles)) return false;
        for (int i = 0; i < ratings.Count; i++)
            for (int j = i + 1; j < ratings.Count; j++)
            {
                var (hi, lo) = ratings[i].Rating >= ratings[j].Rating ? (ratings[i], ratings[j]) : (ratings[j], ratings[i]);
                if (hi.Lower <= lo.Upper) return false;
            }
        return true;
    }

    private static void Check(ArenaBattle b)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (string.IsNullOrEmpty(b.ModelA) || string.IsNullOrEmpty(b.ModelB))
            throw new ArgumentException($"arena battle '{b.Id}' lacks a model name");
        if (string.Equals(b.ModelA, b.ModelB, StringComparison.Ordinal))
            throw new ArgumentException($"arena battle '{b.Id}' pits '{b.ModelA}' against itself");
        if (!Enum.IsDefined(b.Winner))
            throw new ArgumentException($"arena battle '{b.Id}' has no known winner ({(int)b.Winner})");
    }

    /// <summary>Model coefficients → ratings with mean <see cref="MeanRating"/> over the models present (NaN for the
    /// others).</summary>
    private static double[] Centred(double[] w, int models, bool[]? present)
    {
        double sum = 0;
        int count = 0;
        for (int m = 0; m < models; m++)
            if (present == null || present[m])
            {
                sum += w[m];
                count++;
            }
        double mean = sum / count;
        var r = new double[models];
        for (int m = 0; m < models; m++)
            r[m] = present == null || present[m] ? MeanRating + EloPerNat * (w[m] - mean) : double.NaN;
        return r;
    }

    /// <summary>numpy's default (linear) percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double q)
    {
        double at = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(at);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>The battles a fit uses, as indices: models, A's score, the unordered pair of each (for the aggregated
    /// fit) and the style covariates (under style control).</summary>
    private sealed class Battles
    {
        public readonly int[] ModelA, ModelB;
        public readonly double[] ScoreA; // 1, 0, or ½ for a tie or both_bad
        public readonly StyleCovariates? Style;
        private readonly int[] _pair;
        private readonly List<(int Lo, int Hi)> _pairs = [];

        public Battles(List<ArenaBattle> used, Dictionary<string, int> index, StyleCovariates? style)
        {
            Style = style;
            int n = used.Count;
            ModelA = new int[n];
            ModelB = new int[n];
            ScoreA = new double[n];
            _pair = new int[n];
            var pairIndex = new Dictionary<(int, int), int>();
            for (int i = 0; i < n; i++)
            {
                ModelA[i] = index[used[i].ModelA];
                ModelB[i] = index[used[i].ModelB];
                ScoreA[i] = used[i].Winner switch { ArenaWinner.A => 1, ArenaWinner.B => 0, _ => 0.5 };
                var key = (Math.Min(ModelA[i], ModelB[i]), Math.Max(ModelA[i], ModelB[i]));
                if (!pairIndex.TryGetValue(key, out int p))
                {
                    p = _pairs.Count;
                    pairIndex[key] = p;
                    _pairs.Add(key);
                }
                _pair[i] = p;
            }
        }

        /// <summary>The fit's rows with battle i counted counts[i] times: one row per pair of models without style
        /// control, one per battle with it.</summary>
        public FitRows Rows(int[] counts)
        {
            if (Style == null)
            {
                var n = new double[_pairs.Count];
                var s = new double[_pairs.Count];
                for (int i = 0; i < counts.Length; i++)
                {
                    if (counts[i] == 0) continue;
                    int p = _pair[i];
                    n[p] += counts[i];
                    s[p] += counts[i] * (ModelA[i] == _pairs[p].Lo ? ScoreA[i] : 1 - ScoreA[i]);
                }
                var rows = new FitRows(_pairs.Count, 0);
                for (int p = 0; p < _pairs.Count; p++)
                    if (n[p] > 0) rows.Add(_pairs[p].Lo, _pairs[p].Hi, n[p], s[p], []);
                return rows;
            }
            var styled = new FitRows(counts.Length, Style.Count);
            int k = Style.Count;
            for (int i = 0; i < counts.Length; i++)
                if (counts[i] > 0)
                    styled.Add(ModelA[i], ModelB[i], counts[i], counts[i] * ScoreA[i], Style.Z.AsSpan(i * k, k));
            return styled;
        }

        public (int Wins, int Ties, int Losses) Record(int model)
        {
            int wins = 0, ties = 0, losses = 0;
            for (int i = 0; i < ModelA.Length; i++)
            {
                double score;
                if (ModelA[i] == model) score = ScoreA[i];
                else if (ModelB[i] == model) score = 1 - ScoreA[i];
                else continue;
                if (score == 1) wins++;
                else if (score == 0) losses++;
                else ties++;
            }
            return (wins, ties, losses);
        }
    }
}
