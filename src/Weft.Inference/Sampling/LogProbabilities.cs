// Log-probabilities of the model's raw distribution, for reporting (logprobs / top_logprobs).
namespace Weft.Inference.Sampling;

/// <summary>A token with its log-probability under the raw (unfiltered, temperature 1) softmax.</summary>
public readonly record struct TokenLogProbability(int Id, float LogProbability);

/// <summary>
/// A generated token's log-probability with the most likely alternatives (most likely first), all under the raw
/// softmax of the step's logits: before penalties, temperature and top-k/top-p/min-p filters, as llama-server reports
/// them with post_sampling_probs off.
/// </summary>
public sealed record TokenProbabilities(int Token, float LogProbability, TokenLogProbability[] Top);

/// <summary>Receives the probabilities of each generated token, just before the token's text goes to the <c>TokenSink</c>.</summary>
public delegate void ProbabilitySink(TokenProbabilities probabilities);

/// <summary>Log-softmax helpers over a row of raw logits; none of them allocate.</summary>
public static class LogProbabilities
{
    /// <summary>log(sum(exp(logits))), computed stably in double.</summary>
    public static double LogSumExp(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty) throw new ArgumentException("no logits", nameof(logits));
        float max = logits[0];
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > max) max = logits[i];
        if (float.IsInfinity(max)) return max;
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += SamplingMath.Exp((double)logits[i] - max);
        return max + Math.Log(sum);
    }

    /// <summary>destination[i] = logits[i] - logsumexp(logits).</summary>
    public static void LogSoftmax(ReadOnlySpan<float> logits, Span<float> destination)
    {
        if (destination.Length < logits.Length) throw new ArgumentException("destination is shorter than logits", nameof(destination));
        double lse = LogSumExp(logits);
        for (int i = 0; i < logits.Length; i++) destination[i] = (float)(logits[i] - lse);
    }

    /// <summary>The log-probability of one token.</summary>
    public static float Of(ReadOnlySpan<float> logits, int token)
    {
        if ((uint)token >= (uint)logits.Length) throw new ArgumentOutOfRangeException(nameof(token));
        return (float)(logits[token] - LogSumExp(logits));
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with the most likely tokens, most likely first (ties: lower id first),
    /// and returns how many were written: min(destination.Length, logits.Length).
    /// </summary>
    public static int Top(ReadOnlySpan<float> logits, Span<TokenLogProbability> destination)
    {
        int cap = Math.Min(destination.Length, logits.Length);
        if (cap == 0) return 0;
        double lse = LogSumExp(logits);
        int n = 0;
        for (int id = 0; id < logits.Length; id++)
        {
            float l = logits[id];
            // ids arrive in increasing order, so an equal logit never displaces an earlier entry
            if (n == cap && !(l > destination[n - 1].LogProbability)) continue;
            int at = n == cap ? n - 1 : n++;
            while (at > 0 && l > destination[at - 1].LogProbability)
            {
                destination[at] = destination[at - 1];
                at--;
            }
            destination[at] = new TokenLogProbability(id, l);
        }
        for (int i = 0; i < n; i++)
            destination[i] = destination[i] with { LogProbability = (float)(destination[i].LogProbability - lse) };
        return n;
    }
}
