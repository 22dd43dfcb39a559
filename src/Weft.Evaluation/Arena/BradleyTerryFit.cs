// Bradley–Terry maximum likelihood by Newton's method: log-strengths of models plus optional covariate coefficients.
namespace Weft.Evaluation.Arena;

/// <summary>The rows of one fit: row r says that in <c>Count[r]</c> comparisons of model <c>A[r]</c> with model
/// <c>B[r]</c>, A scored <c>ScoreA[r]</c> (a win 1, a tie ½), with covariates <c>Z[r·k .. r·k+k)</c>.</summary>
internal sealed class FitRows(int capacity, int covariates)
{
    public readonly int Covariates = covariates;
    public readonly int[] A = new int[capacity];
    public readonly int[] B = new int[capacity];
    public readonly double[] Count = new double[capacity];
    public readonly double[] ScoreA = new double[capacity];
    public readonly double[] Z = new double[capacity * covariates];

    public int Length { get; private set; }

    public void Add(int a, int b, double count, double scoreA, ReadOnlySpan<double> z)
    {
        int r = Length++;
        A[r] = a;
        B[r] = b;
        Count[r] = count;
        ScoreA[r] = scoreA;
        z.CopyTo(Z.AsSpan(r * Covariates, Covariates));
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

    private const double FinalStep = 1e-7; // a Newton step this small squares the error to ~1e-14

    public static double[] Solve(FitRows rows, int models, double[]? start = null)
    {
        int p = models + rows.Covariates;
        var w = start != null ? (double[])start.Clone() : new double[p];
        var grad = new double[p];
        var h = new double[p * p]; // [p, p] row-major: −Hessian of the penalised log-likelihood
        var trialGrad = new double[p];
        var trialH = new double[p * p];
        var step = new double[p];
        var trial = new double[p];
        double current = Evaluate(rows, models, w, grad, h);
        for (int iter = 0; iter < MaxIterations; iter++)
        {
            CholeskySolve(h, grad, step, p);
            double size = 0;
            foreach (double v in step) size = Math.Max(size, Math.Abs(v));
            if (size < FinalStep)
            {
                // in Newton's quadratic range: this last step leaves an error far below StepTolerance
                for (int i = 0; i < p; i++) w[i] += step[i];
                break;
            }
            double t = 1, value;
            while (true)
            {
                for (int i = 0; i < p; i++) trial[i] = w[i] + t * step[i];
                value = Evaluate(rows, models, trial, trialGrad, trialH);
                if (value >= current - 1e-12 * Math.Abs(current) || t < 1e-12) break;
                t /= 2; // Newton overshot (far from the optimum, near separation): halve until it climbs
            }
            (w, trial) = (trial, w);
            (grad, trialGrad) = (trialGrad, grad);
            (h, trialH) = (trialH, h);
            current = value;
            if (t * size < StepTolerance) break;
        }
        return w;
    }

    /// <summary>The penalised log-likelihood at w, with its gradient and negative Hessian, in one pass over the rows.</summary>
    private static double Evaluate(FitRows rows, int models, double[] w, double[] grad, double[] h)
    {
        int p = grad.Length, k = rows.Covariates;
        Array.Clear(h);
        double sum = 0, norm = 0;
        for (int i = 0; i < p; i++)
        {
            grad[i] = -Ridge * w[i];
            h[i * p + i] = Ridge;
            norm += w[i] * w[i];
        }
        var z = rows.Z;
        for (int r = 0; r < rows.Length; r++)
        {
            int a = rows.A[r], b = rows.B[r];
            double x = w[a] - w[b];
            for (int c = 0; c < k; c++) x += w[models + c] * z[r * k + c];
            double n = rows.Count[r], s = rows.ScoreA[r];
            double e = Math.Exp(-Math.Abs(x));
            double log1p = Math.Log(1 + e);
            // log σ(x) = −softplus(−x), log σ(−x) = −softplus(x)
            sum -= s * (Math.Max(-x, 0) + log1p) + (n - s) * (Math.Max(x, 0) + log1p);
            double prob = x >= 0 ? 1 / (1 + e) : e / (1 + e);
            double g = s - n * prob;
            double c2 = n * prob * (1 - prob);
            grad[a] += g;
            grad[b] -= g;
            h[a * p + a] += c2;
            h[b * p + b] += c2;
            h[a * p + b] -= c2;
            h[b * p + a] -= c2;
            for (int i = 0; i < k; i++)
            {
                double zi = z[r * k + i];
                int col = models + i;
                grad[col] += g * zi;
                h[a * p + col] += c2 * zi;
                h[col * p + a] += c2 * zi;
                h[b * p + col] -= c2 * zi;
                h[col * p + b] -= c2 * zi;
                for (int j = 0; j < k; j++) h[col * p + models + j] += c2 * zi * z[r * k + j];
            }
        }
        return sum - Ridge / 2 * norm;
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
}
