// Several independent sequences evaluated together: each has its own KV cache and position, and one call evaluates
// a batch of (sequence, token) entries in one forward pass, so each weight row is read once per step for all of them.
// After construction nothing here allocates.
using Weft.Tensors.Threading;

namespace Weft.Models.Transformer;

public sealed class DecoderBatch
{
    private readonly ModelConfig _c;
    private readonly ForwardPass _pass;
    private readonly KvCache[] _caches;
    private readonly int[] _pending;     // per sequence: entries of the current call not yet evaluated
    private readonly int[] _chunkOutputs; // output rows of the current chunk, chunk-relative

    public DecoderBatch(Model model, WorkerPool pool, int sequences, int contextSize = 0, int maxBatch = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequences, 1);
        Model = model;
        _c = model.Config;
        if (contextSize <= 0) contextSize = Math.Min(_c.TrainContextLength, 4096);
        ContextSize = contextSize;
        MaxBatch = Math.Max(1, maxBatch);
        _caches = new KvCache[sequences];
        for (int s = 0; s < sequences; s++) _caches[s] = new KvCache(_c.LayerCount, contextSize, _c.KeyWidth, _c.ValueWidth);
        _pass = new ForwardPass(model, pool, contextSize, MaxBatch);
        _pending = new int[sequences];
        _chunkOutputs = new int[MaxBatch];
    }

    public Model Model { get; }
    public int SequenceCount => _caches.Length;
    public int ContextSize { get; }
    /// <summary>Most entries evaluated in one forward pass; longer calls are split.</summary>
    public int MaxBatch { get; }

    public KvCache Cache(int sequence) => _caches[sequence];

    /// <summary>Positions stored for <paramref name="sequence"/> (its next token goes there).</summary>
    public int Position(int sequence) => _caches[sequence].Length;

    /// <summary>Forgets every position of <paramref name="sequence"/> from <paramref name="length"/> on.</summary>
    public void Truncate(int sequence, int length) => _caches[sequence].Length = Math.Clamp(length, 0, _caches[sequence].Length);

    public void Reset(int sequence) => _caches[sequence].Length = 0;

    /// <summary>
    /// Makes the first <paramref name="length"/> positions of <paramref name="to"/> those of <paramref name="from"/> (its
    /// keys and values copied, layer by layer) and forgets the rest of <paramref name="to"/>: a prompt prefix evaluated
    /// in one sequence serves another without being evaluated again. <paramref name="from"/> is left as it is.
    /// </summary>
    public void CopyPrefix(int from, int to, int length)
    {
        var src = _caches[from];
        var dst = _caches[to];
        if (length < 0 || length > src.Length) throw new ArgumentOutOfRangeException(nameof(length), length, $"sequence {from} holds {src.Length} positions");
        if (from == to) { dst.Length = length; return; }
        for (int l = 0; l < src.Keys.Length; l++)
        {
            Array.Copy(src.Keys[l], dst.Keys[l], (long)length * src.KeyWidth);
            Array.Copy(src.Values[l], dst.Values[l], (long)length * src.ValueWidth);
        }
        dst.Length = length;
    }

    /// <summary>
    /// Appends entry i (token <paramref name="tokens"/>[i] to sequence <paramref name="sequences"/>[i]) at its
    /// sequence's next position; entries of one sequence are appended in the order given. For each entry index in
    /// <paramref name="outputs"/> (ascending), its logits go to the next row of <paramref name="logits"/>
    /// ([outputs, vocab]).
    /// </summary>
    public void Evaluate(ReadOnlySpan<int> sequences, ReadOnlySpan<int> tokens, ReadOnlySpan<int> outputs, Memory<float> logits)
    {
        int n = tokens.Length, vocab = _c.VocabSize;
        if (sequences.Length != n) throw new ArgumentException("one sequence per token is needed");
        if (logits.Length < outputs.Length * vocab) throw new ArgumentException("logits buffer too small");
        for (int i = 0; i < outputs.Length; i++)
            if ((uint)outputs[i] >= (uint)n || (i > 0 && outputs[i] <= outputs[i - 1]))
                throw new ArgumentException("output entries must be ascending entry indices");
        Array.Clear(_pending);
        for (int i = 0; i < n; i++)
        {
            int s = sequences[i], t = tokens[i];
            if ((uint)s >= (uint)_caches.Length) throw new ArgumentOutOfRangeException(nameof(sequences), $"sequence {s} does not exist (0 to {_caches.Length - 1})");
            if ((uint)t >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(tokens), $"token id {t} is outside the vocabulary (0 to {vocab - 1})");
            if (_caches[s].Length + ++_pending[s] > ContextSize)
                throw new ContextOverflowException($"sequence {s}: {_caches[s].Length + _pending[s]} tokens do not fit the context of {ContextSize} tokens");
        }

        int nextOutput = 0;
        for (int start = 0; start < n; start += MaxBatch)
        {
            int count = Math.Min(MaxBatch, n - start);
            for (int r = 0; r < count; r++)
            {
                var cache = _caches[sequences[start + r]];
                _pass.Caches[r] = cache;
                _pass.Positions[r] = cache.Length++;
            }
            int firstOutput = nextOutput;
            while (nextOutput < outputs.Length && outputs[nextOutput] < start + count)
            {
                _chunkOutputs[nextOutput - firstOutput] = outputs[nextOutput] - start;
                nextOutput++;
            }
            int chunkOutputs = nextOutput - firstOutput;
            _pass.Run(tokens.Slice(start, count), _chunkOutputs.AsSpan(0, chunkOutputs),
                chunkOutputs > 0 ? logits.Slice(firstOutput * vocab, chunkOutputs * vocab) : Memory<float>.Empty);
        }
    }
}
