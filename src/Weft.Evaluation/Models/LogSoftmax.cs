// Log-probabilities from raw logits, in double: log p(t) = l[t] - (max + log Σ exp(l - max)).
namespace Weft.Evaluation.Models;

public static class LogSoftmax
{
    /// <summary>log p(<paramref name="token"/>) and the argmax (ties to the lowest id) of one row of logits.</summary>
    public static (double LogProb, int Argmax) At(ReadOnlySpan<float> logits, int token)
    {
        double lse = LogSumExp(logits, out int argmax);
        return (logits[token] - lse, argmax);
    }

    /// <summary>max + log Σ exp(l − max), with the argmax (ties to the lowest id).</summary>
    public static double LogSumExp(ReadOnlySpan<float> logits, out int argmax)
    {
        float max = float.NegativeInfinity;
        argmax = 0;
        for (int i = 0; i < logits.Length; i++)
            if (logits[i] > max) { max = logits[i]; argmax = i; }
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += Math.Exp(logits[i] - (double)max);
        return max + Math.Log(sum);
    }

    /// <summary>The whole row as log-probabilities ([vocab]).</summary>
    public static void Row(ReadOnlySpan<float> logits, Span<double> logProbs)
    {
        double lse = LogSumExp(logits, out _);
        for (int i = 0; i < logits.Length; i++) logProbs[i] = logits[i] - lse;
    }
}
