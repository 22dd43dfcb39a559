// One sequence being evaluated: the KV cache plus the forward pass over it. Prompts are evaluated in batches of up
// to MaxBatch tokens, generated tokens one at a time; after construction nothing here allocates.
using Weft.Tensors.Threading;

namespace Weft.Models.Transformer;

public sealed class DecoderSession
{
    private readonly Model _model;
    private readonly ModelConfig _c;
    private readonly ForwardPass _pass;
    private readonly int[] _rows; // 0, 1, …, MaxBatch-1: output row indices
    private float[] _hidden = [];

    public KvCache Cache { get; }
    public int MaxBatch { get; }
    public int ContextSize => Cache.Capacity;
    public int Position => Cache.Length;
    public Model Model => _model;

    public DecoderSession(Model model, WorkerPool pool, int contextSize = 0, int maxBatch = 256)
    {
        _model = model;
        _c = model.Config;
        if (contextSize <= 0) contextSize = Math.Min(_c.TrainContextLength, 4096);
        MaxBatch = Math.Max(1, Math.Min(maxBatch, contextSize));
        Cache = new KvCache(_c.LayerCount, contextSize, _c.KeyWidth, _c.ValueWidth);
        _pass = new ForwardPass(model, pool, contextSize, MaxBatch);
        _rows = new int[MaxBatch];
        for (int i = 0; i < MaxBatch; i++) _rows[i] = i;
        Array.Fill(_pass.Caches, Cache);
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
        Check(tokens);
        if (logits.Length < (allLogits ? tokens.Length : 1) * vocab)
            throw new ArgumentException("logits buffer too small");
        for (int start = 0; start < tokens.Length; start += MaxBatch)
        {
            int n = Math.Min(MaxBatch, tokens.Length - start);
            bool last = start + n == tokens.Length;
            var chunk = tokens.Slice(start, n);
            if (allLogits) Forward(chunk, _rows.AsSpan(0, n), logits.Slice(start * vocab, n * vocab), default);
            else Forward(chunk, last ? _rows.AsSpan(n - 1, 1) : default, last ? logits[..vocab] : Memory<float>.Empty, default);
        }
    }

    /// <summary>
    /// Evaluates <paramref name="tokens"/> as a sequence of its own (the cache is reset first and holds them
    /// afterwards) and writes the mean over its tokens of the final hidden state after the output norm, scaled to
    /// unit length ([embedding]).
    /// </summary>
    public void Embed(ReadOnlySpan<int> tokens, Span<float> embedding)
    {
        int d = _c.EmbeddingLength;
        if (tokens.Length == 0) throw new ArgumentException("nothing to embed: no tokens");
        if (embedding.Length < d) throw new ArgumentException("embedding buffer too small");
        Reset();
        Check(tokens);
        if (_hidden.Length == 0) _hidden = new float[MaxBatch * d];
        var sum = new double[d];
        for (int start = 0; start < tokens.Length; start += MaxBatch)
        {
            int n = Math.Min(MaxBatch, tokens.Length - start);
            Forward(tokens.Slice(start, n), _rows.AsSpan(0, n), default, _hidden);
            for (int t = 0; t < n; t++)
                for (int i = 0; i < d; i++) sum[i] += _hidden[t * d + i];
        }
        double norm = 0;
        for (int i = 0; i < d; i++)
        {
            sum[i] /= tokens.Length;
            norm += sum[i] * sum[i];
        }
        norm = Math.Sqrt(norm);
        for (int i = 0; i < d; i++) embedding[i] = norm > 0 ? (float)(sum[i] / norm) : 0f;
    }

    private void Check(ReadOnlySpan<int> tokens)
    {
        int vocab = _c.VocabSize;
        if (Position + tokens.Length > ContextSize)
            throw new ContextOverflowException($"{Position + tokens.Length} tokens do not fit the context of {ContextSize} tokens");
        foreach (int t in tokens)
            if ((uint)t >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(tokens), $"token id {t} is outside the vocabulary (0 to {vocab - 1})");
    }

    /// <summary>One batch at the current position.</summary>
    private void Forward(ReadOnlySpan<int> tokens, ReadOnlySpan<int> outputRows, Memory<float> logits, Span<float> hidden)
    {
        int pos0 = Position;
        for (int t = 0; t < tokens.Length; t++) _pass.Positions[t] = pos0 + t;
        _pass.Run(tokens, outputRows, logits, hidden);
        Cache.Length = pos0 + tokens.Length;
    }
}
