// A model in memory with its batch scheduler (one KV cache per slot, requests stepped together) and, on first use,
// a session of its own for embeddings and prompt scoring.
using Weft.Inference.Batching;
using Weft.Inference.Chat;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;
using Weft.Tokenizers;

namespace Weft.Server.Hosting;

public sealed class LoadedModel : IDisposable
{
    private readonly BatchScheduler _scheduler;
    private readonly WorkerPool _pool;
    private readonly SemaphoreSlim _embedGate = new(1, 1);
    private DecoderSession? _embedSession;
    private float[]? _scoreLogits; // [side session's MaxBatch, vocab]

    internal LoadedModel(ModelEntry entry, Model model, WorkerPool pool, int contextSize, int parallel, int queueLimit)
    {
        Entry = entry;
        Model = model;
        Tokenizer = model.Tokenizer;
        ContextSize = contextSize;
        _pool = pool;
        _scheduler = new BatchScheduler(model, pool, Tokenizer, parallel, contextSize, queueLimit);
    }

    public ModelEntry Entry { get; }
    public Model Model { get; }
    public Tokenizer Tokenizer { get; }
    public int ContextSize { get; }
    /// <summary>The model's chat template (chatml when the file has none) with its BOS/EOS texts.</summary>
    public ChatFormatter Formatter => _formatter ??= ChatFormatter.ForModel(Model);
    private ChatFormatter? _formatter;
    public DateTime LastUsed { get; internal set; } = DateTime.UtcNow;
    /// <summary>Requests waiting for a slot.</summary>
    public int QueueDepth => _scheduler.QueueDepth;
    /// <summary>Slots of its scheduler: requests decoded together.</summary>
    public int SlotCount => _scheduler.SlotCount;
    /// <summary>Slots generating now.</summary>
    public int BusySlots => _scheduler.BusySlots;
    /// <summary>Prompt tokens taken from a slot's cache (its own, or copied from another slot) instead of evaluated.</summary>
    public long PromptTokensReused => _scheduler.PromptTokensReused;
    /// <summary>Prompt tokens evaluated by the scheduler (those found in a cache are not counted).</summary>
    public long PromptTokensEvaluated => _scheduler.PromptTokensEvaluated;
    /// <summary>Of <see cref="PromptTokensReused"/>, those copied from another slot.</summary>
    public long PromptTokensCopied => _scheduler.PromptTokensCopied;
    public bool Idle => QueueDepth == 0 && BusySlots == 0 && _embedGate.CurrentCount == 1;

    /// <summary>Queues a generation; false when the queue is full. <paramref name="sink"/> runs on the scheduler's thread.</summary>
    public bool TrySubmit(GenerationRequest request, TokenSink? sink, CancellationToken cancel, out Task<GenerationResult> result) =>
        TrySubmit(request, sink, null, cancel, out result);

    /// <summary>As the other overload; <paramref name="probabilities"/> (scheduler's thread, before the token's text) receives each
    /// token's log-probabilities when the request asks for them.</summary>
    public bool TrySubmit(GenerationRequest request, TokenSink? sink, ProbabilitySink? probabilities, CancellationToken cancel, out Task<GenerationResult> result)
    {
        LastUsed = DateTime.UtcNow;
        return _scheduler.TrySubmit(request, sink, probabilities, cancel, out result);
    }

    /// <summary>One unit-length mean-pooled embedding per input (token ids), one input at a time.</summary>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<int[]> inputs, CancellationToken cancel)
    {
        LastUsed = DateTime.UtcNow;
        await _embedGate.WaitAsync(cancel);
        try
        {
            return await Task.Run(() =>
            {
                _embedSession ??= new DecoderSession(Model, _pool, ContextSize);
                var result = new float[inputs.Count][];
                for (int i = 0; i < inputs.Count; i++)
                {
                    cancel.ThrowIfCancellationRequested();
                    result[i] = new float[Model.Config.EmbeddingLength];
                    _embedSession.Embed(inputs[i], result[i]);
                }
                return result;
            }, cancel);
        }
        finally
        {
            _embedGate.Release();
            LastUsed = DateTime.UtcNow;
        }
    }

    /// <summary>Per prompt token its log-probability given the tokens before it and the <paramref name="top"/> most likely
    /// tokens there (entry 0 null), and the most likely next token, evaluated on the side session (one request at a time,
    /// beside the scheduler).</summary>
    public async Task<PromptScore> ScoreAsync(int[] tokens, int top, CancellationToken cancel)
    {
        LastUsed = DateTime.UtcNow;
        await _embedGate.WaitAsync(cancel);
        try
        {
            return await Task.Run(() =>
            {
                _embedSession ??= new DecoderSession(Model, _pool, ContextSize);
                _scoreLogits ??= new float[_embedSession.MaxBatch * Model.Config.VocabSize];
                return PromptScoring.Score(_embedSession, tokens, top, _scoreLogits, cancel);
            }, cancel);
        }
        finally
        {
            _embedGate.Release();
            LastUsed = DateTime.UtcNow;
        }
    }

    public void Dispose()
    {
        _scheduler.Dispose();
        Model.Dispose();
        _embedGate.Dispose();
    }
}
