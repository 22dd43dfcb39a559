// K-quant round-trip accuracy on gaussian rows: error within a per-format bound, and fewer bits, more error.
using Weft.Tensors.Quantization;
using Xunit.Abstractions;

namespace Weft.Tensors.Tests;

public class KQuantAccuracyTests(ITestOutputHelper output)
{
    // Round-trip RMSE divided by the row RMS, on unit gaussian rows. Each bound sits about 15% above the value
    // measured with this seed; the expected level follows from the bits per weight and the sub-block scales.
    /// <summary>2.6 bits per weight, 4 levels per 16-element sub-block with a 4-bit min: measured 0.297.</summary>
    private const double Q2_KMaxRelRmse = 0.34;
    /// <summary>3.4 bits, 8 symmetric levels with a 6-bit scale per 16 elements: measured 0.151.</summary>
    private const double Q3_KMaxRelRmse = 0.175;
    /// <summary>4.5 bits, 16 levels with 6-bit scale and min per 32 elements: measured 0.071.</summary>
    private const double Q4_KMaxRelRmse = 0.082;
    /// <summary>5.5 bits, 32 levels per 32 elements: measured 0.036.</summary>
    private const double Q5_KMaxRelRmse = 0.042;
    /// <summary>6.6 bits, 64 symmetric levels with an 8-bit scale per 16 elements: measured 0.018.</summary>
    private const double Q6_KMaxRelRmse = 0.021;
    /// <summary>8 bits against the block maximum (about 3σ over 256 samples): measured 0.0069.</summary>
    private const double Q8_KMaxRelRmse = 0.008;

    private static readonly (GgmlType Type, double Bound)[] Bounds =
    [
        (GgmlType.Q2_K, Q2_KMaxRelRmse), (GgmlType.Q3_K, Q3_KMaxRelRmse), (GgmlType.Q4_K, Q4_KMaxRelRmse),
        (GgmlType.Q5_K, Q5_KMaxRelRmse), (GgmlType.Q6_K, Q6_KMaxRelRmse), (GgmlType.Q8_K, Q8_KMaxRelRmse),
    ];

    private static double RelativeRmse(GgmlType type, int seed)
    {
        var f = QuantRegistry.Get(type);
        var rng = new Random(seed);
        const int n = 4096, rows = 16;
        double err = 0, power = 0;
        var x = new float[n];
        var q = new byte[f.RowBytes(n)];
        var y = new float[n];
        for (int r = 0; r < rows; r++)
        {
            float scale = (float)Math.Exp(rng.NextDouble() * 4 - 2);
            for (int i = 0; i < n; i++) x[i] = (float)FormatChecks.Gaussian(rng) * scale;
            f.Quantize(x, q);
            f.Dequantize(q, y);
            for (int i = 0; i < n; i++)
            {
                double d = (double)x[i] - y[i];
                err += d * d / (scale * scale);
                power += (double)x[i] * x[i] / (scale * scale);
            }
        }
        return Math.Sqrt(err / power);
    }

    [Fact]
    public void RoundTripErrorWithinBound()
    {
        var failures = new List<string>();
        foreach (var (type, bound) in Bounds)
        {
            double rel = RelativeRmse(type, 4242);
            output.WriteLine($"{TypeTraits.NameOf(type)}: relative RMSE {rel:F4} (bound {bound})");
            if (rel > bound) failures.Add($"{TypeTraits.NameOf(type)}: relative RMSE {rel:F4} above {bound}");
            if (rel < bound / 3) failures.Add($"{TypeTraits.NameOf(type)}: relative RMSE {rel:F4} implausibly small for its bits");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void FewerBitsGiveMoreError()
    {
        GgmlType[] order = [GgmlType.Q6_K, GgmlType.Q5_K, GgmlType.Q4_K, GgmlType.Q3_K, GgmlType.Q2_K];
        var errors = order.Select(t => RelativeRmse(t, 99)).ToArray();
        for (int k = 1; k < order.Length; k++)
            Assert.True(errors[k - 1] < errors[k],
                $"{TypeTraits.NameOf(order[k - 1])} error {errors[k - 1]:F4} not below {TypeTraits.NameOf(order[k])} error {errors[k]:F4}");
    }
}
