// Mixture-of-experts feed-forward (Mixtral): a softmax router picks the top experts per token, their weights are
// renormalised to sum to one, and each expert's SwiGLU runs once over the tokens routed to it.
using Weft.Tensors.Kernels;

namespace Weft.Models.Transformer;

internal sealed class MoeFeedForward
{
    private readonly ModelConfig _c;
    private readonly MatMul _matmul;
    private readonly float[] _router;          // [batch, experts]
    private readonly int[] _chosen;            // [batch, used]
    private readonly float[] _weights;         // [batch, used]
    private readonly int[] _rowsOf;            // tokens routed to the current expert
    private readonly float[] _rowWeight;
    private readonly float[] _in, _gate, _up, _out;

    public MoeFeedForward(ModelConfig c, MatMul matmul, int maxBatch)
    {
        _c = c;
        _matmul = matmul;
        int d = c.EmbeddingLength, ff = c.FeedForwardLength;
        _router = new float[maxBatch * c.ExpertCount];
        _chosen = new int[maxBatch * c.ExpertUsedCount];
        _weights = new float[maxBatch * c.ExpertUsedCount];
        _rowsOf = new int[maxBatch];
        _rowWeight = new float[maxBatch];
        _in = new float[maxBatch * d];
        _out = new float[maxBatch * d];
        _gate = new float[maxBatch * ff];
        _up = new float[maxBatch * ff];
    }

    /// <summary>output[t] = Σ_k w_tk · expert_k(xn[t]) for the chosen experts k of each token t.</summary>
    public void Run(LayerWeights lw, float[] xn, float[] output, int n)
    {
        int e = _c.ExpertCount, used = _c.ExpertUsedCount, d = _c.EmbeddingLength, ff = _c.FeedForwardLength;
        _matmul.Run(lw.Router, xn, n, _router);
        for (int t = 0; t < n; t++) Route(_router.AsSpan(t * e, e), _chosen.AsSpan(t * used, used), _weights.AsSpan(t * used, used));
        Array.Clear(output, 0, n * d);
        for (int expert = 0; expert < e; expert++)
        {
            int m = 0;
            for (int t = 0; t < n; t++)
                for (int k = 0; k < used; k++)
                    if (_chosen[t * used + k] == expert) { _rowsOf[m] = t; _rowWeight[m] = _weights[t * used + k]; m++; }
            if (m == 0) continue;
            for (int i = 0; i < m; i++) xn.AsSpan(_rowsOf[i] * d, d).CopyTo(_in.AsSpan(i * d, d));
            _matmul.Run(lw.GateExperts![expert], _gate, lw.UpExperts![expert], _up, _in, m);
            for (int i = 0; i < m; i++) Activations.SwiGlu(_gate.AsSpan(i * ff, ff), _up.AsSpan(i * ff, ff));
            _matmul.Run(lw.DownExperts![expert], _gate, m, _out);
            for (int i = 0; i < m; i++)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_out.AsSpan(i * d, d), _rowWeight[i], output.AsSpan(_rowsOf[i] * d, d), output.AsSpan(_rowsOf[i] * d, d));
        }
    }

    /// <summary>Softmax over the router logits, the top <c>used</c> experts (ties to the lower index), weights renormalised.</summary>
    private static void Route(Span<float> logits, Span<int> chosen, Span<float> weights)
    {
        Activations.Softmax(logits);
        for (int k = 0; k < chosen.Length; k++)
        {
            int best = -1;
            for (int i = 0; i < logits.Length; i++)
            {
                if (chosen[..k].Contains(i)) continue;
                if (best < 0 || logits[i] > logits[best]) best = i;
            }
            chosen[k] = best;
            weights[k] = logits[best];
        }
        float sum = 0;
        foreach (float w in weights) sum += w;
        for (int k = 0; k < weights.Length; k++) weights[k] /= sum;
    }
}
