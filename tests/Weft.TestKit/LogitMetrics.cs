// Agreement measures between two sets of logits ([positions, vocab]) and the tolerances the tests hold them to.
namespace Weft.TestKit;

public static class LogitMetrics
{
    /// <summary>Σ(a-b)² / Σa² over every position.</summary>
    public static double Nmse(ReadOnlySpan<float> reference, ReadOnlySpan<float> ours)
    {
        double num = 0, den = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double d = reference[i] - ours[i];
            num += d * d;
            den += (double)reference[i] * reference[i];
        }
        return num / Math.Max(den, 1e-30);
    }

    /// <summary>Share of positions where our top token's reference logit is within <paramref name="margin"/> of the reference's top logit.</summary>
    public static double TolerantTop1(ReadOnlySpan<float> reference, ReadOnlySpan<float> ours, int vocab, double margin)
    {
        int positions = reference.Length / vocab, ok = 0;
        for (int p = 0; p < positions; p++)
        {
            var r = reference.Slice(p * vocab, vocab);
            int mine = ArgMax(ours.Slice(p * vocab, vocab));
            if (r[ArgMax(r)] - r[mine] <= margin) ok++;
        }
        return positions == 0 ? 1 : (double)ok / positions;
    }

    /// <summary>Mean over positions of KL(softmax(reference) ‖ softmax(ours)).</summary>
    public static double MeanKl(ReadOnlySpan<float> reference, ReadOnlySpan<float> ours, int vocab)
    {
        int positions = reference.Length / vocab;
        double total = 0;
        for (int p = 0; p < positions; p++)
        {
            var lp = LogSoftmax(reference.Slice(p * vocab, vocab));
            var lq = LogSoftmax(ours.Slice(p * vocab, vocab));
            double kl = 0;
            for (int i = 0; i < vocab; i++) kl += Math.Exp(lp[i]) * (lp[i] - lq[i]);
            total += kl;
        }
        return positions == 0 ? 0 : total / positions;
    }

    public static double[] LogSoftmax(ReadOnlySpan<float> x)
    {
        double max = double.NegativeInfinity;
        foreach (float v in x) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in x) sum += Math.Exp(v - max);
        double log = max + Math.Log(sum);
        var r = new double[x.Length];
        for (int i = 0; i < x.Length; i++) r[i] = x[i] - log;
        return r;
    }

    public static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    /// <summary>Gap between the largest and second-largest value.</summary>
    public static float Top2Gap(ReadOnlySpan<float> x)
    {
        float a = float.NegativeInfinity, b = float.NegativeInfinity;
        foreach (float v in x)
        {
            if (v > a) { b = a; a = v; }
            else if (v > b) b = v;
        }
        return a - b;
    }
}

/// <summary>The agreement rules, calibrated on llama.cpp against its own variants.</summary>
public static class Tolerances
{
    /// <summary>F32 weights: only summation order differs.</summary>
    public const double F32Nmse = 1e-6;
    /// <summary>F16/BF16 weights: the reference also rounds activations to the weight type.</summary>
    public const double HalfNmse = 1e-4;
    /// <summary>Float weights: our top token within this many logits of the reference's top (random models have near ties).</summary>
    public const double FloatTop1Margin = 0.1;
    public const double FloatTop1Share = 0.99;
    /// <summary>Quantized weights: top token within one logit, at 98 % of positions.</summary>
    public const double QuantTop1Margin = 1.0;
    public const double QuantTop1Share = 0.98;
    /// <summary>Quantized weights: KL may be a tenth of the quantization's own divergence from F32, or this floor.</summary>
    public const double QuantKlFloor = 0.02;
    public const double QuantKlShare = 0.1;
    /// <summary>Greedy generations may part at a step whose reference top-2 gap is below this (a tie).</summary>
    public const double GreedyTieGap = 0.01;
    /// <summary>Several sequences stepped together against each alone: the same operations on the same rows, so
    /// only a matmul kernel that sums in another order for another batch size could tell them apart (float32
    /// rounding, NMSE near 1e-14; a flipped Q8 activation rounding step stays far below this).</summary>
    public const double BatchedNmse = 1e-9;
}
