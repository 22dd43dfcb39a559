// exp() from IEEE basic operations only, so that probabilities (and therefore the random pick)
// come out bit-identical on every machine and runtime; the C library's exp may differ in the last bit.
namespace Weft.Inference.Sampling;

internal static class SamplingMath
{
    // ln 2 split so that k * Ln2Hi is exact for |k| < 2^20 (the low 21 bits of Ln2Hi are zero).
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double InvLn2 = 1.44269504088896338700e+00;

    // 1/n! for the Taylor series of e^r on |r| <= ln2/2; the first omitted term is below 5e-18.
    private const double C2 = 1.0 / 2;
    private const double C3 = 1.0 / 6;
    private const double C4 = 1.0 / 24;
    private const double C5 = 1.0 / 120;
    private const double C6 = 1.0 / 720;
    private const double C7 = 1.0 / 5040;
    private const double C8 = 1.0 / 40320;
    private const double C9 = 1.0 / 362880;
    private const double C10 = 1.0 / 3628800;
    private const double C11 = 1.0 / 39916800;
    private const double C12 = 1.0 / 479001600;
    private const double C13 = 1.0 / 6227020800;

    /// <summary>e^x with a relative error of a few ulp; exact 0 below the subnormal range, +inf above the double range.</summary>
    public static double Exp(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x > 709.782712893384) return double.PositiveInfinity;
        if (x < -745.1332191019412) return 0.0;

        double k = Math.Floor(x * InvLn2 + 0.5);
        double r = (x - k * Ln2Hi) - k * Ln2Lo;

        double p = C13;
        p = p * r + C12;
        p = p * r + C11;
        p = p * r + C10;
        p = p * r + C9;
        p = p * r + C8;
        p = p * r + C7;
        p = p * r + C6;
        p = p * r + C5;
        p = p * r + C4;
        p = p * r + C3;
        p = p * r + C2;
        p = p * r + 1.0;
        p = p * r + 1.0;

        return Math.ScaleB(p, (int)k);
    }
}
