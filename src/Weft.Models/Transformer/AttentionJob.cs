// Causal (optionally sliding-window) attention of a batch of queries, one (row, head) pair per item; each row
// attends over its own sequence's KV cache up to its own position.
using System.Numerics.Tensors;
using Weft.Tensors.Kernels;
using Weft.Tensors.Threading;

namespace Weft.Models.Transformer;

internal sealed class AttentionJob : IRangeJob
{
    private readonly float[][] _scores; // per worker: [capacity]
    private ModelConfig _c = null!;
    private float[] _q = [];
    private KvCache[] _caches = [];
    private int[] _positions = [];
    private float[] _out = [];
    private int _layer, _window;

    public AttentionJob(int workers, int capacity)
    {
        _scores = new float[workers][];
        for (int i = 0; i < workers; i++) _scores[i] = new float[capacity];
    }

    /// <param name="q">[rows, heads·headDim]</param>
    /// <param name="caches">per row: the cache of its sequence (its keys and values already stored)</param>
    /// <param name="positions">per row: its position in its sequence</param>
    /// <param name="output">[rows, heads·valueHeadDim]</param>
    /// <param name="window">tokens a query may look back (itself included); 0 means the whole cache.</param>
    public void Set(ModelConfig c, float[] q, KvCache[] caches, int[] positions, int layer, float[] output, int window)
    {
        _c = c; _q = q; _caches = caches; _positions = positions; _layer = layer; _out = output; _window = window;
    }

    public void Execute(int start, int end, int worker)
    {
        var c = _c;
        int heads = c.HeadCount, hd = c.HeadDim, vhd = c.ValueHeadDim;
        int group = heads / c.KvHeadCount;
        int kw = c.KeyWidth, vw = c.ValueWidth;
        var scores = _scores[worker];
        for (int item = start; item < end; item++)
        {
            int t = item / heads, h = item % heads, kvh = h / group;
            int pos = _positions[t];
            float[] keys = _caches[t].Keys[_layer], values = _caches[t].Values[_layer];
            int first = _window > 0 ? Math.Max(0, pos - _window + 1) : 0;
            int n = pos - first + 1;
            var q = new ReadOnlySpan<float>(_q, t * heads * hd + h * hd, hd);
            var s = scores.AsSpan(0, n);
            for (int j = 0; j < n; j++)
                s[j] = TensorPrimitives.Dot(q, new ReadOnlySpan<float>(keys, (first + j) * kw + kvh * hd, hd)) * c.AttentionScale;
            if (c.AttentionSoftCap > 0) SoftCap.Apply(s, c.AttentionSoftCap);
            Activations.Softmax(s);
            var o = new Span<float>(_out, t * heads * vhd + h * vhd, vhd);
            o.Clear();
            for (int j = 0; j < n; j++)
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(values, (first + j) * vw + kvh * vhd, vhd), s[j], o, o);
        }
    }
}
