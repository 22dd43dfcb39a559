// Bradley–Terry maximum likelihood by Newton's method: log-strengths of models plus optional covariate coefficients.
namespace Weft.Evaluation.Arena;

/// <summary>The rows of one fit: row r says that in <c>Count[r]</c> comparisons of model <c>A[r]</c> with model
/// <c>B[r]</c>, A scored <c>ScoreA[r]</c> (a win 1, a tie ½), with covariates <c>Z[r·k .. r·k+k)</c>.</summary>
internal sealed class FitRows(int covariates)
{
    public readonly int Covariates = covariates;
    public readonly List<int> A = [];
    public readonly List<int> B = [];
    public readonly List<double> Count = [];
    public readonly List<double> ScoreA = [];
    public readonly List<double> Z = [];

    public int Length => A.Count;

    public void Add(int a, int b, double count, double scoreA, ReadOnlySpan<double> z)
    {
        A.Add(a);
        B.Add(b);
        Count.Add(count);
        ScoreA.Add(scoreA);
        foreach (double v in z) Z.Add(v);
    }
}

/// <summary>Maximises Σ_r [s·log σ(x) + (n − s)·log σ(−x)] − λ/2·|w|² over w = (θ_0 … θ_{m−1}, β_0 … β_{k−1}),
/// x = θ_A − θ_B + β·z: the logistic regression with +1/−1 model columns. θ is in natural-log strength units.
/// λ = <see cref="Ridge"/> only makes the optimum unique: the likelihood does not change when every θ moves
/// together, and a model that never lost (or never won) would otherwise run off to infinity. Its gradient is
/// orthogonal to that shift, so the optimum has Σθ = 0.</summary>
internal static class BradleyTerryFit
{
    public const double Ridge = 1e-6;

    private const int MaxIterations = 200;

    private const double StepTolerance = 1e-10; // natural-log units: 2e-8 rating points

    public static double[] Solve(FitRows rows, int models, double[]? start = null)
    {
        int p = models + rows.Covariates;
        var w = start != null ? (double[])start.Clone() : new double[p];
        var grad = new double[p];
        var h = new double[p * p]; // [p, p] row-major: −Hessian of the penalised log-likelihood
        var step = new double[p];
        var trial = new double[p];
        double current = Objective(rows, models, w);
        for (int iter = 0; iter < MaxIterations; iter++)
        {
            Derivatives(rows, models, w, grad, h);
            CholeskySolve(h, grad, step, p);
            double t = 1, value;
            while (true)
            {
                for (int i = 0; i < p; i++) trial[i] = w[i] + t * step[i];
                value = Objective(rows, models, trial);
                if (value >= current - 1e-12 * Math.Abs(current) || t < 1e-12) break;
                t /= 2; // Newton overshot (far from the optimum, near separation): halve until it climbs
            }
            double moved = 0;
            for (int i = 0; i < p; i++) moved = Math.Max(moved, Math.Abs(trial[i] - w[i]));
            (w, trial) = (trial, w);
            current = value;
            if (moved < StepTolerance) break;
        }
        return w;
    }

    private static double Logit(FitRows rows, int models, double[] w, int r)
    {
        double x = w[rows.A[r]] - w[rows.B[r]];
        int k = rows.Covariates;
        for (int c = 0; c < k; c++) x += w[models + c] * rows.Z[r * k + c];
        return x;
    }

    private static double Objective(FitRows rows, int models, double[] w)
    {
        double sum = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            double x = Logit(rows, models, w, r), n = rows.Count[r], s = rows.ScoreA[r];
            sum -= s * Softplus(-x) + (n - s) * Softplus(x);
        }
        double norm = 0;
        foreach (double v in w) norm += v * v;
        return sum - Ridge / 2 * norm;
    }

    private static void Derivatives(FitRows rows, int models, double[] w, double[] grad, double[] h)
    {
        int p = grad.Length, k = rows.Covariates;
        Array.Clear(h);
        for (int i = 0; i < p; i++)
        {
            grad[i] = -Ridge * w[i];
            h[i * p + i] = Ridge;
        }
        for (int r = 0; r < rows.Length; r++)
        {
            double x = Logit(rows, models, w, r), n = rows.Count[r];
            double prob = Sigmoid(x);
            double g = rows.ScoreA[r] - n * prob;
            double c = n * prob * Sigmoid(-x);
            int a = rows.A[r], b = rows.B[r];
            grad[a] += g;
            grad[b] -= g;
            h[a * p + a] += c;
            h[b * p + b] += c;
            h[a * p + b] -= c;
            h[b * p + a] -= c;
            for (int i = 0; i < k; i++)
            {
                double zi = rows.Z[r * k + i];
                int col = models + i;
                grad[col] += g * zi;
                h[a * p + col] += c * zi;
                h[col * p + a] += c * zi;
                h[b * p + col] -= c * zi;
                h[col * p + b] -= c * zi;
                for (int j = 0; j < k; j++) h[col * p + models + j] += c * zi * rows.Z[r * k + j];
            }
        }
    }

    /// <summary>Solves h·x = g for a symmetric positive definite h ([p, p], overwritten by its Cholesky factor).</summary>
    private static void CholeskySolve(double[] h, double[] g, double[] x, int p)
    {
        for (int j = 0; j < p; j++)
        {
            double d = h[j * p + j];
            for (int q = 0; q < j; q++) d -= h[j * p + q] * h[j * p + q];
            d = Math.Sqrt(Math.Max(d, Ridge * 1e-6)); // the ridge keeps d > 0; the floor guards rounding
            h[j * p + j] = d;
            for (int i = j + 1; i < p; i++)
            {
                double v = h[i * p + j];
                for (int q = 0; q < j; q++) v -= h[i * p + q] * h[j * p + q];
                h[i * p + j] = v / d;
            }
        }
        for (int i = 0; i < p; i++)
        {
            double v = g[i];
            for (int q = 0; q < i; q++) v -= h[i * p + q] * x[q];
            x[i] = v / h[i * p + i];
        }
        for (int i = p - 1; i >= 0; i--)
        {
            double v = x[i];
            for (int q = i + 1; q < p; q++) v -= h[q * p + i] * x[q];
            x[i] = v / h[i * p + i];
        }
    }

    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>log(1 + eˣ) without overflow: −log σ(−x).</summary>
    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
}
