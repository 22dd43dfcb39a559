// One sequence being evaluated: the KV cache plus the activation buffers of the forward pass.
// Prompts are evaluated in batches of up to MaxBatch tokens, generated tokens one at a time; after
// construction nothing here allocates.
using Weft.Tensors.Kernels;
using Weft.Tensors.Threading;

namespace Weft.Models.Transformer;

public sealed class DecoderSession
{
    private readonly Model _model;
    private readonly ModelConfig _c;
    private readonly DecoderWeights _w;
    private readonly MatMul _matmul;
    private readonly WorkerPool _pool;
    private readonly Rope _rope;
    private readonly AttentionJob _attention;
    private readonly MoeFeedForward? _moe;
    // Activations, [MaxBatch, width] each.
    private readonly float[] _x, _xn, _q, _k, _v, _att, _tmp, _gate, _up;
    private readonly float[] _cos, _sin;

    public KvCache Cache { get; }
    public int MaxBatch { get; }
    public int ContextSize => Cache.Capacity;
    public int Position => Cache.Length;
    public Model Model => _model;

    public DecoderSession(Model model, WorkerPool pool, int contextSize = 0, int maxBatch = 256)
    {
        _model = model;
        _c = model.Config;
        _w = model.Weights;
        _pool = pool;
        _matmul = new MatMul(pool);
        if (contextSize <= 0) contextSize = Math.Min(_c.TrainContextLength, 4096);
        MaxBatch = Math.Max(1, Math.Min(maxBatch, contextSize));
        Cache = new KvCache(_c.LayerCount, contextSize, _c.KeyWidth, _c.ValueWidth);
        _rope = new Rope(_c.Rope, _c.RopeStyle);
        _attention = new AttentionJob(pool.ThreadCount, contextSize);
        int b = MaxBatch, d = _c.EmbeddingLength;
        _x = new float[b * d];
        _xn = new float[b * d];
        _tmp = new float[b * d];
        _q = new float[b * _c.QueryWidth];
        _k = new float[b * _c.KeyWidth];
        _v = new float[b * _c.ValueWidth];
        _att = new float[b * _c.HeadCount * _c.ValueHeadDim];
        _gate = new float[b * _c.FeedForwardLength];
        _up = new float[b * _c.FeedForwardLength];
        _cos = new float[_c.Rope.Dims / 2];
        _sin = new float[_c.Rope.Dims / 2];
        if (_c.ExpertCount > 0) _moe = new MoeFeedForward(_c, _matmul, b);
    }

    public void Reset() => Cache.Length = 0;

    /// <summary>Forgets every position from <paramref name="length"/> on.</summary>
    public void Truncate(int length) => Cache.Length = Math.Clamp(length, 0, Cache.Length);

    /// <summary>
    /// Appends <paramref name="tokens"/> at the current position. With <paramref name="allLogits"/> the logits of
    /// every token are written ([tokens, vocab]); otherwise only the last token's ([vocab]).
    /// </summary>
    public void Evaluate(ReadOnlySpan<int> tokens, Memory<float> logits, bool allLogits = false)
    {
        int vocab = _c.VocabSize;
        if (tokens.Length == 0) return;
        if (Position + tokens.Length > ContextSize)
            throw new ContextOverflowException($"{Position + tokens.Length} tokens do not fit the context of {ContextSize} tokens");
        if (logits.Length < (allLogits ? tokens.Length : 1) * vocab)
            throw new ArgumentException("logits buffer too small");
        foreach (int t in tokens)
            if ((uint)t >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(tokens), $"token id {t} is outside the vocabulary (0 to {vocab - 1})");
        for (int start = 0; start < tokens.Length; start += MaxBatch)
        {
            int n = Math.Min(MaxBatch, tokens.Length - start);
            bool last = start + n == tokens.Length;
            var chunk = tokens.Slice(start, n);
            if (allLogits) Forward(chunk, logits.Slice(start * vocab, n * vocab), n);
            else Forward(chunk, last ? logits[..vocab] : Memory<float>.Empty, last ? 1 : 0);
        }
    }

    /// <summary>One batch: writes the logits of the last <paramref name="outputs"/> tokens.</summary>
    private void Forward(ReadOnlySpan<int> tokens, Memory<float> logits, int outputs)
    {
        int n = tokens.Length, d = _c.EmbeddingLength, pos0 = Position;
        for (int t = 0; t < n; t++) _w.TokenEmbedding.DequantizeRow(tokens[t], _x.AsSpan(t * d, d));

        for (int l = 0; l < _c.LayerCount; l++)
        {
            var lw = _w.Layers[l];
            for (int t = 0; t < n; t++) Norms.RmsNorm(_x.AsSpan(t * d, d), lw.AttnNorm, _xn.AsSpan(t * d, d), _c.NormEpsilon);
            Attention(lw, l, n, pos0);
            for (int t = 0; t < n; t++) Norms.RmsNorm(_x.AsSpan(t * d, d), lw.FfnNorm, _xn.AsSpan(t * d, d), _c.NormEpsilon);
            if (_moe != null) _moe.Run(lw, _xn, _tmp, n);
            else FeedForward(lw, n);
            Add(_x, _tmp, n * d);
        }
        Cache.Length = pos0 + n;

        if (outputs == 0) return;
        int first = n - outputs;
        for (int t = first; t < n; t++)
            Norms.RmsNorm(_x.AsSpan(t * d, d), _w.OutputNorm, _xn.AsSpan((t - first) * d, d), _c.NormEpsilon);
        _matmul.Run(_w.Output, _xn, outputs, logits);
    }

    private void Attention(LayerWeights lw, int layer, int n, int pos0)
    {
        _matmul.Run(lw.Q, _xn, n, _q);
        _matmul.Run(lw.K, _xn, n, _k);
        _matmul.Run(lw.V, _xn, n, _v);
        if (lw.QBias != null) AddRows(_q, lw.QBias, n);
        if (lw.KBias != null) AddRows(_k, lw.KBias, n);
        if (lw.VBias != null) AddRows(_v, lw.VBias, n);
        int kw = _c.KeyWidth, vw = _c.ValueWidth;
        var keys = Cache.Keys[layer];
        var values = Cache.Values[layer];
        for (int t = 0; t < n; t++)
        {
            _rope.Angles(pos0 + t, _cos, _sin);
            _rope.Apply(_q.AsSpan(t * _c.QueryWidth, _c.QueryWidth), _c.HeadDim, _cos, _sin);
            _rope.Apply(_k.AsSpan(t * kw, kw), _c.HeadDim, _cos, _sin);
            _k.AsSpan(t * kw, kw).CopyTo(keys.AsSpan((pos0 + t) * kw, kw));
            _v.AsSpan(t * vw, vw).CopyTo(values.AsSpan((pos0 + t) * vw, vw));
        }
        _attention.Set(_c, _q, keys, values, _att, pos0);
        _pool.Run(_attention, n * _c.HeadCount, 1);
        _matmul.Run(lw.O, _att, n, _tmp);
        if (lw.OBias != null) AddRows(_tmp, lw.OBias, n);
        Add(_x, _tmp, n * _c.EmbeddingLength);
    }

    private void FeedForward(LayerWeights lw, int n)
    {
        _matmul.Run(lw.Gate, _xn, n, _gate);
        _matmul.Run(lw.Up, _xn, n, _up);
        int ff = _c.FeedForwardLength;
        for (int t = 0; t < n; t++) Activations.SwiGlu(_gate.AsSpan(t * ff, ff), _up.AsSpan(t * ff, ff));
        _matmul.Run(lw.Down, _gate, n, _tmp);
    }

    private static void Add(float[] x, float[] y, int count) =>
        System.Numerics.Tensors.TensorPrimitives.Add(x.AsSpan(0, count), y.AsSpan(0, count), x.AsSpan(0, count));

    private static void AddRows(float[] x, float[] bias, int rows)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * bias.Length, bias.Length);
            System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
        }
    }
}
