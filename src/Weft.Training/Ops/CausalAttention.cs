// Causal scaled-dot-product attention with grouped KV heads (n_head_kv divides n_head), over a batch of independent
// sequences laid end to end. Softmax probabilities are kept for the backward pass.
using System.Numerics;
using System.Numerics.Tensors;
using Weft.Tensors.Threading;

namespace Weft.Training.Ops;

/// <summary>One sequence of a batch: rows [Start, Start + Length) of every activation.</summary>
public readonly record struct Segment(int Start, int Length);

public sealed record AttentionShape(int Heads, int KvHeads, int HeadDim, int ValueDim, float Scale)
{
    public int Group => Heads / KvHeads;
}

public static class CausalAttention
{
    /// <summary>Elements of the saved probabilities: Σ over segments of heads·len².</summary>
    public static int ProbabilityCount(IReadOnlyList<Segment> segments, int heads)
    {
        long total = 0;
        foreach (var s in segments) total += (long)heads * s.Length * s.Length;
        return checked((int)total);
    }

    /// <param name="q">[n, heads·headDim], rotated.</param>
    /// <param name="k">[n, kvHeads·headDim], rotated.</param>
    /// <param name="v">[n, kvHeads·valueDim]</param>
    /// <param name="output">[n, heads·valueDim]</param>
    /// <param name="probs">per segment [heads, len, len] (row i holds positions 0..i; the rest stays zero).</param>
    public static void Forward<T>(WorkerPool? pool, AttentionShape a, IReadOnlyList<Segment> segments, T[] q, T[] k, T[] v, T[] output, T[] probs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a);
        int qw = a.Heads * a.HeadDim, kw = a.KvHeads * a.HeadDim, vw = a.KvHeads * a.ValueDim, ow = a.Heads * a.ValueDim;
        T scale = T.CreateTruncating(a.Scale);
        int offset = 0;
        foreach (var seg in segments)
        {
            int len = seg.Length, baseOffset = offset;
            Parallel.For(pool, a.Heads, (long)a.Heads * len * len * (a.HeadDim + a.ValueDim) / 2, (h0, h1) =>
            {
                for (int h = h0; h < h1; h++)
                {
                    int g = h / a.Group;
                    var p = new Span<T>(probs, baseOffset + h * len * len, len * len);
                    p.Clear();
                    for (int i = 0; i < len; i++)
                    {
                        var qi = new ReadOnlySpan<T>(q, (seg.Start + i) * qw + h * a.HeadDim, a.HeadDim);
                        var row = p.Slice(i * len, i + 1);
                        T max = T.NegativeInfinity;
                        for (int j = 0; j <= i; j++)
                        {
                            var kj = new ReadOnlySpan<T>(k, (seg.Start + j) * kw + g * a.HeadDim, a.HeadDim);
                            row[j] = TensorPrimitives.Dot(qi, kj) * scale;
                            if (row[j] > max) max = row[j];
                        }
                        T sum = T.Zero;
                        for (int j = 0; j <= i; j++) { row[j] = T.Exp(row[j] - max); sum += row[j]; }
                        var oi = new Span<T>(output, (seg.Start + i) * ow + h * a.ValueDim, a.ValueDim);
                        oi.Clear();
                        for (int j = 0; j <= i; j++)
                        {
                            row[j] /= sum;
                            var vj = new ReadOnlySpan<T>(v, (seg.Start + j) * vw + g * a.ValueDim, a.ValueDim);
                            TensorPrimitives.MultiplyAdd(vj, row[j], oi, oi);
                        }
                    }
                }
            });
            offset += a.Heads * len * len;
        }
    }

    /// <summary>dq, dk, dv += the gradients for dOutput; work is split by KV head so heads sharing one never race.</summary>
    public static void Backward<T>(WorkerPool? pool, AttentionShape a, IReadOnlyList<Segment> segments, T[] q, T[] k, T[] v, T[] probs,
        T[] dOutput, T[] dq, T[] dk, T[] dv)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a);
        int qw = a.Heads * a.HeadDim, kw = a.KvHeads * a.HeadDim, vw = a.KvHeads * a.ValueDim, ow = a.Heads * a.ValueDim;
        T scale = T.CreateTruncating(a.Scale);
        int offset = 0;
        foreach (var seg in segments)
        {
            int len = seg.Length, baseOffset = offset;
            Parallel.For(pool, a.KvHeads, (long)a.Heads * len * len * (a.HeadDim + a.ValueDim), (g0, g1) =>
            {
                var dp = new T[len];
                for (int g = g0; g < g1; g++)
                    for (int h = g * a.Group; h < (g + 1) * a.Group; h++)
                    {
                        var p = new ReadOnlySpan<T>(probs, baseOffset + h * len * len, len * len);
                        for (int i = 0; i < len; i++)
                        {
                            var doi = new ReadOnlySpan<T>(dOutput, (seg.Start + i) * ow + h * a.ValueDim, a.ValueDim);
                            var row = p.Slice(i * len, i + 1);
                            // dP[j] = dO_i·v_j; dV_j += P[i,j]·dO_i
                            T dot = T.Zero;
                            for (int j = 0; j <= i; j++)
                            {
                                var vj = new ReadOnlySpan<T>(v, (seg.Start + j) * vw + g * a.ValueDim, a.ValueDim);
                                var dvj = new Span<T>(dv, (seg.Start + j) * vw + g * a.ValueDim, a.ValueDim);
                                T s = TensorPrimitives.Dot(doi, vj);
                                TensorPrimitives.MultiplyAdd(doi, row[j], dvj, dvj);
                                dp[j] = s;
                                dot += row[j] * s;
                            }
                            // softmax backward: dS = P∘(dP − Σ P∘dP); then S = scale·q·k
                            var qi = new ReadOnlySpan<T>(q, (seg.Start + i) * qw + h * a.HeadDim, a.HeadDim);
                            var dqi = new Span<T>(dq, (seg.Start + i) * qw + h * a.HeadDim, a.HeadDim);
                            for (int j = 0; j <= i; j++)
                            {
                                T ds = row[j] * (dp[j] - dot) * scale;
                                if (ds == T.Zero) continue;
                                var kj = new ReadOnlySpan<T>(k, (seg.Start + j) * kw + g * a.HeadDim, a.HeadDim);
                                var dkj = new Span<T>(dk, (seg.Start + j) * kw + g * a.HeadDim, a.HeadDim);
                                TensorPrimitives.MultiplyAdd(kj, ds, dqi, dqi);
                                TensorPrimitives.MultiplyAdd(qi, ds, dkj, dkj);
                            }
                        }
                    }
            });
            offset += a.Heads * len * len;
        }
    }

    private static void Check(AttentionShape a)
    {
        if (a.KvHeads <= 0 || a.Heads % a.KvHeads != 0)
            throw new ArgumentException($"{a.Heads} query heads cannot share {a.KvHeads} KV heads evenly");
    }
}
