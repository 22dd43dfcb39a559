// Causal (optionally sliding-window) attention of a batch of queries over the KV cache, one (token, head) pair per item.
using System.Numerics.Tensors;
using Weft.Tensors.Kernels;
using Weft.Tensors.Threading;

namespace Weft.Models.Transformer;

internal sealed class AttentionJob : IRangeJob
{
    private readonly float[][] _scores; // per worker: [capacity]
    private ModelConfig _c = null!;
    private float[] _q = [];
    private float[] _keys = [];
    private float[] _values = [];
    private float[] _out = [];
    private int _pos0, _window;

    public AttentionJob(int workers, int capacity)
    {
        _scores = new float[workers][];
        for (int i = 0; i < workers; i++) _scores[i] = new float[capacity];
    }

    /// <param name="q">[batch, heads·headDim]</param>
    /// <param name="output">[batch, heads·valueHeadDim]</param>
    /// <param name="window">tokens a query may look back (itself included); 0 means the whole cache.</param>
    public void Set(ModelConfig c, float[] q, float[] keys, float[] values, float[] output, int pos0, int window)
    {
        _c = c; _q = q; _keys = keys; _values = values; _out = output; _pos0 = pos0; _window = window;
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
            int pos = _pos0 + t;
            int first = _window > 0 ? Math.Max(0, pos - _window + 1) : 0;
            int n = pos - first + 1;
            var q = new ReadOnlySpan<float>(_q, t * heads * hd + h * hd, hd);
            var s = scores.AsSpan(0, n);
            for (int j = 0; j < n; j++)
                s[j] = TensorPrimitives.Dot(q, new ReadOnlySpan<float>(_keys, (first + j) * kw + kvh * hd, hd)) * c.AttentionScale;
            if (c.AttentionSoftCap > 0) SoftCap.Apply(s, c.AttentionSoftCap);
            Activations.Softmax(s);
            var o = new Span<float>(_out, t * heads * vhd + h * vhd, vhd);
            o.Clear();
            for (int j = 0; j < n; j++)
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(_values, (first + j) * vw + kvh * vhd, vhd), s[j], o, o);
        }
    }
}
