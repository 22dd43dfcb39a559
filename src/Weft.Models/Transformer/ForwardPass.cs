// The transformer forward pass over a batch of rows, each row a token with its own KV cache and position: the rows
// may all belong to one sequence (a prompt chunk) or to many (one decoding step of several sequences). Every matmul
// runs once over all rows, so each weight row is read once per batch. After construction nothing here allocates.
using System.Numerics.Tensors;
using Weft.Models.Adapters;
using Weft.Tensors.Kernels;
using Weft.Tensors.Threading;

namespace Weft.Models.Transformer;

internal sealed class ForwardPass
{
    private readonly ModelConfig _c;
    private readonly DecoderWeights _w;
    private readonly MatMul _matmul;
    private readonly WorkerPool _pool;
    private readonly Rope _rope;
    private readonly AttentionJob _attention;
    private readonly MoeFeedForward? _moe;
    private readonly LoraPath? _lora;
    // Activations, [MaxBatch, width] each.
    private readonly float[] _x, _xn, _xa, _q, _k, _v, _att, _tmp, _ffn, _gate, _up;
    private readonly float[] _cos, _sin;

    public ForwardPass(Model model, WorkerPool pool, int contextSize, int maxBatch)
    {
        _c = model.Config;
        _w = model.Weights;
        _pool = pool;
        _matmul = new MatMul(pool);
        MaxBatch = maxBatch;
        _rope = new Rope(RopeFor(_c, _w, contextSize), _c.RopeStyle);
        _attention = new AttentionJob(pool.ThreadCount, contextSize);
        int b = MaxBatch, d = _c.EmbeddingLength;
        _x = new float[b * d];
        _xn = new float[b * d];
        _tmp = new float[b * d];
        _xa = _w.Layers.Any(l => l.AttnNorm2 != null) ? new float[b * d] : [];
        _ffn = _c.ParallelResidual ? new float[b * d] : [];
        _q = new float[b * _c.QueryWidth];
        _k = new float[b * _c.KeyWidth];
        _v = new float[b * _c.ValueWidth];
        _att = new float[b * _c.HeadCount * _c.ValueHeadDim];
        _gate = new float[b * _c.FeedForwardLength];
        _up = new float[b * _c.FeedForwardLength];
        _cos = new float[_c.Rope.Dims / 2];
        _sin = new float[_c.Rope.Dims / 2];
        Caches = new KvCache[b];
        Positions = new int[b];
        if (_c.ExpertCount > 0) _moe = new MoeFeedForward(_c, _matmul, b);
        if (!model.Lora.IsEmpty) _lora = new LoraPath(model.Lora, _matmul, b);
        if (!_c.GatedFfn && _c.Activation != FfnActivation.GeluTanh)
            throw new UnsupportedModelException($"a feed-forward without a gate is supported with GELU only, not {_c.Activation}");
    }

    public int MaxBatch { get; }

    /// <summary>Per row: the cache of the row's sequence. The caller fills the first rows before <see cref="Run"/>.</summary>
    public KvCache[] Caches { get; }

    /// <summary>Per row: the row's position in its sequence (rows of one sequence in increasing order, no gaps).</summary>
    public int[] Positions { get; }

    /// <summary>The rope settings with Phi-3's long factors when the context exceeds the original one, its short ones otherwise (as llama.cpp picks them).</summary>
    private static RopeParams RopeFor(ModelConfig c, DecoderWeights w, int contextSize)
    {
        var factors = contextSize > c.Rope.OriginalContext ? w.RopeFactorsLong : w.RopeFactorsShort;
        return factors != null ? c.Rope with { FreqFactors = factors } : c.Rope;
    }

    /// <summary>
    /// Evaluates one row per token (storing its key and value in its cache at its position; cache lengths are the
    /// caller's). For each row in <paramref name="outputRows"/>, in that order, writes its logits to
    /// <paramref name="logits"/> ([outputs, vocab]), or, when <paramref name="hidden"/> is not empty, its final hidden
    /// state after the output norm to <paramref name="hidden"/> ([outputs, embedding]) instead.
    /// </summary>
    public void Run(ReadOnlySpan<int> tokens, ReadOnlySpan<int> outputRows, Memory<float> logits, Span<float> hidden = default)
    {
        int n = tokens.Length, d = _c.EmbeddingLength;
        for (int t = 0; t < n; t++) _w.TokenEmbedding.DequantizeRow(tokens[t], _x.AsSpan(t * d, d));
        if (_c.EmbeddingScale != 1f) TensorPrimitives.Multiply(_x.AsSpan(0, n * d), _c.EmbeddingScale, _x.AsSpan(0, n * d));

        for (int l = 0; l < _c.LayerCount; l++)
        {
            var lw = _w.Layers[l];
            // Attention reads the pre-attention norm (or the residual itself when the block has none).
            float[] attnIn = Normalise(lw.AttnNorm, _x, _xn, n, d);
            if (lw.AttnNorm2 != null) attnIn = Normalise(lw.AttnNorm2, _x, _xa, n, d);
            Attention(lw, l, n, attnIn);
            if (lw.PostAttnNorm != null) Normalise(lw.PostAttnNorm, _tmp, _tmp, n, d);
            if (_c.ParallelResidual)
            {
                // x += attn(norm(x)) + ffn(norm(x)), both from the same residual.
                FeedForward(lw, l, _xn, _ffn, n);
                Add(_x, _tmp, n * d);
                Add(_x, _ffn, n * d);
                continue;
            }
            Add(_x, _tmp, n * d);
            float[] ffnIn = Normalise(lw.FfnNorm, _x, _xn, n, d);
            FeedForward(lw, l, ffnIn, _tmp, n);
            if (lw.PostFfnNorm != null) Normalise(lw.PostFfnNorm, _tmp, _tmp, n, d);
            Add(_x, _tmp, n * d);
        }

        int outputs = outputRows.Length;
        if (outputs == 0) return;
        if (!hidden.IsEmpty)
        {
            for (int i = 0; i < outputs; i++) Norm(_w.OutputNorm, _x.AsSpan(outputRows[i] * d, d), hidden.Slice(i * d, d));
            return;
        }
        // [outputs, embedding]: the output rows gathered, normalised.
        for (int i = 0; i < outputs; i++) Norm(_w.OutputNorm, _x.AsSpan(outputRows[i] * d, d), _xn.AsSpan(i * d, d));
        var result = logits.Span[..(outputs * _c.VocabSize)];
        _matmul.Run(_w.Output, _xn, outputs, logits);
        _lora?.Apply(_lora.Terms.Output, _xn, outputs, result);
        if (_w.OutputBias != null) Bias.AddRows(result, _w.OutputBias, outputs);
        if (_c.FinalSoftCap > 0) SoftCap.Apply(result, _c.FinalSoftCap);
    }

    /// <summary>Each of <paramref name="n"/> rows of width <paramref name="width"/> normalised from src to dst; with no norm, src itself.</summary>
    private float[] Normalise(NormWeights? norm, float[] src, float[] dst, int n, int width)
    {
        if (norm == null) return src;
        for (int t = 0; t < n; t++) Norm(norm, src.AsSpan(t * width, width), dst.AsSpan(t * width, width));
        return dst;
    }

    /// <summary>One row, in the model's norm kind; a norm narrower than the row applies to each slice (per-head q/k norms).</summary>
    private void Norm(NormWeights norm, ReadOnlySpan<float> x, Span<float> y)
    {
        int w = norm.Weight?.Length ?? x.Length;
        for (int i = 0; i + w <= x.Length; i += w)
        {
            if (_c.Norm == NormKind.Rms) Norms.RmsNorm(x.Slice(i, w), norm.Weight, y.Slice(i, w), _c.NormEpsilon);
            else Norms.LayerNorm(x.Slice(i, w), norm.Weight, norm.Bias, y.Slice(i, w), _c.NormEpsilon);
        }
    }

    /// <summary>Self-attention of the batch, each row over its own cache; the output projection lands in _tmp.</summary>
    private void Attention(LayerWeights lw, int layer, int n, float[] input)
    {
        int qw = _c.QueryWidth, kw = _c.KeyWidth, vw = _c.ValueWidth;
        _matmul.Run(lw.Q, _q, lw.K, _k, lw.V, _v, input, n);
        if (_lora != null)
        {
            _lora.Apply(_lora.Terms.For(layer, LoraSlot.Q), input, n, _q);
            _lora.Apply(_lora.Terms.For(layer, LoraSlot.K), input, n, _k);
            _lora.Apply(_lora.Terms.For(layer, LoraSlot.V), input, n, _v);
        }
        if (lw.QBias != null) Bias.AddRows(_q, lw.QBias, n);
        if (lw.KBias != null) Bias.AddRows(_k, lw.KBias, n);
        if (lw.VBias != null) Bias.AddRows(_v, lw.VBias, n);
        if (_c.ClampKqv > 0)
        {
            Bias.Clamp(_q.AsSpan(0, n * qw), _c.ClampKqv);
            Bias.Clamp(_k.AsSpan(0, n * kw), _c.ClampKqv);
            Bias.Clamp(_v.AsSpan(0, n * vw), _c.ClampKqv);
        }
        if (lw.QNorm != null) Normalise(lw.QNorm, _q, _q, n, qw);
        if (lw.KNorm != null) Normalise(lw.KNorm, _k, _k, n, kw);
        for (int t = 0; t < n; t++)
        {
            int pos = Positions[t];
            var cache = Caches[t];
            _rope.Angles(pos, _cos, _sin);
            _rope.Apply(_q.AsSpan(t * qw, qw), _c.HeadDim, _cos, _sin);
            _rope.Apply(_k.AsSpan(t * kw, kw), _c.HeadDim, _cos, _sin);
            _k.AsSpan(t * kw, kw).CopyTo(cache.Keys[layer].AsSpan(pos * kw, kw));
            _v.AsSpan(t * vw, vw).CopyTo(cache.Values[layer].AsSpan(pos * vw, vw));
        }
        _attention.Set(_c, _q, Caches, Positions, layer, _att, _c.IsSlidingLayer(layer) ? _c.SlidingWindow : 0);
        _pool.Run(_attention, n * _c.HeadCount, 1);
        _matmul.Run(lw.O, _att, n, _tmp);
        _lora?.Apply(_lora.Terms.For(layer, LoraSlot.O), _att, n, _tmp);
        if (lw.OBias != null) Bias.AddRows(_tmp, lw.OBias, n);
    }

    private void FeedForward(LayerWeights lw, int layer, float[] input, float[] output, int n)
    {
        if (_moe != null)
        {
            _moe.Run(lw, input, output, n);
            return;
        }
        int ff = _c.FeedForwardLength;
        if (_c.GatedFfn)
        {
            _matmul.Run(lw.Gate, _gate, lw.Up, _up, input, n);
            _lora?.Apply(_lora.Terms.For(layer, LoraSlot.Gate), input, n, _gate);
            _lora?.Apply(_lora.Terms.For(layer, LoraSlot.Up), input, n, _up);
            for (int t = 0; t < n; t++)
            {
                if (_c.Activation == FfnActivation.Silu) Activations.SwiGlu(_gate.AsSpan(t * ff, ff), _up.AsSpan(t * ff, ff));
                else Gelu.GeGlu(_gate.AsSpan(t * ff, ff), _up.AsSpan(t * ff, ff));
            }
        }
        else
        {
            // Sequential MLP: down(act(up(x))).
            _matmul.Run(lw.Up, input, n, _gate);
            _lora?.Apply(_lora.Terms.For(layer, LoraSlot.Up), input, n, _gate);
            Gelu.Tanh(_gate.AsSpan(0, n * ff));
        }
        _matmul.Run(lw.Down, _gate, n, output);
        _lora?.Apply(_lora.Terms.For(layer, LoraSlot.Down), _gate, n, output);
    }

    private static void Add(float[] x, float[] y, int count) =>
        TensorPrimitives.Add(x.AsSpan(0, count), y.AsSpan(0, count), x.AsSpan(0, count));
}
