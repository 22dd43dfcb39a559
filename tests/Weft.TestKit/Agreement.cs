// Applies the agreement rule that fits a weight type: NMSE for float weights, KL scaled by the quantization's own
// divergence for quantized ones, and tolerant top-1 for both.
namespace Weft.TestKit;

public sealed record Verdict(bool Passed, string Detail)
{
    public override string ToString() => Detail;
}

public static class Agreement
{
    /// <param name="type">the weight type name (f32, f16, bf16, q8_0, q4_k_m, …).</param>
    /// <param name="referenceF32">oracle logits of the F32 source, for the quantization's own divergence.</param>
    public static Verdict Check(float[] expected, float[] actual, int vocab, string type, Func<float[]> referenceF32)
    {
        if (expected.Length != actual.Length) return new(false, $"{actual.Length} logits, expected {expected.Length}");
        string t = type.ToLowerInvariant();
        if (t is "f32" or "f16" or "bf16")
        {
            double limit = t == "f32" ? Tolerances.F32Nmse : Tolerances.HalfNmse;
            double nmse = LogitMetrics.Nmse(expected, actual);
            double top1 = LogitMetrics.TolerantTop1(expected, actual, vocab, Tolerances.FloatTop1Margin);
            return new(nmse <= limit && top1 >= Tolerances.FloatTop1Share, $"NMSE {nmse:E2} (limit {limit:E0}), tolerant top-1 {top1:P1}");
        }
        double kl = LogitMetrics.MeanKl(expected, actual, vocab);
        double own = LogitMetrics.MeanKl(referenceF32(), expected, vocab);
        double klLimit = Math.Max(Tolerances.QuantKlShare * own, Tolerances.QuantKlFloor);
        double qtop1 = LogitMetrics.TolerantTop1(expected, actual, vocab, Tolerances.QuantTop1Margin);
        return new(kl <= klLimit && qtop1 >= Tolerances.QuantTop1Share,
            $"KL {kl:E2} (limit {klLimit:E2}; quantization's own {own:E2}), tolerant top-1 {qtop1:P1}");
    }
}

/// <summary>The weight types each test matrix covers.</summary>
public static class ModelTypes
{
    /// <summary>The files ../shared/refharness/mkmodels.py writes for each tiny model.</summary>
    public static readonly string[] FromMkModels = ["f32", "f16", "q8_0", "q4_0"];
}
