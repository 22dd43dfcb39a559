// Cross-entropy of the next token over the vocabulary, averaged over the positions the loss mask keeps.
using System.Numerics;

namespace Weft.Training.Ops;

public static class CrossEntropy
{
    /// <summary>Mean of −log softmax(logits[i])[targets[i]] over rows with mask[i]; also the gradient when dLogits is given.</summary>
    /// <param name="logits">[n, vocab]</param>
    /// <param name="dLogits">[n, vocab], overwritten: (softmax − onehot)·gradScale/kept on kept rows, zero elsewhere.</param>
    /// <returns>the mean loss (0 when no row is kept) and the number of kept rows.</returns>
    public static (double Loss, int Count) Forward<T>(ReadOnlySpan<T> logits, int vocab, ReadOnlySpan<int> targets, ReadOnlySpan<bool> mask,
        Span<T> dLogits = default, double gradScale = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = targets.Length, kept = 0;
        for (int i = 0; i < n; i++) if (mask[i]) kept++;
        if (!dLogits.IsEmpty) dLogits[..(n * vocab)].Clear();
        if (kept == 0) return (0, 0);
        double total = 0;
        T g = T.CreateTruncating(gradScale / kept);
        for (int i = 0; i < n; i++)
        {
            if (!mask[i]) continue;
            int t = targets[i];
            if ((uint)t >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(targets), $"target {t} is outside the vocabulary ({vocab})");
            var row = logits.Slice(i * vocab, vocab);
            T max = T.NegativeInfinity;
            foreach (var x in row) if (x > max) max = x;
            T sum = T.Zero;
            foreach (var x in row) sum += T.Exp(x - max);
            T logZ = max + T.Log(sum);
            total += double.CreateTruncating(logZ - row[t]);
            if (dLogits.IsEmpty) continue;
            var d = dLogits.Slice(i * vocab, vocab);
            for (int j = 0; j < vocab; j++) d[j] = T.Exp(row[j] - logZ) * g;
            d[t] -= g;
        }
        return (total / kept, kept);
    }
}
