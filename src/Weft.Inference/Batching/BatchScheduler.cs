// Continuous batching: one thread runs a model's slots (one KV cache each, in one DecoderBatch). Requests wait in a
// bounded queue, join a free slot between steps and leave it when they end; each step evaluates, in one forward pass,
// the next token of every decoding request plus prompt chunks of newly joined ones (up to MaxBatch entries), then
// samples per request.
using System.Diagnostics;
using System.Threading.Channels;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;
using Weft.Tokenizers;

namespace Weft.Inference.Batching;

public sealed class BatchScheduler : IDisposable
{
    private readonly DecoderBatch _batch;
    private readonly Tokenizer? _tokenizer;
    private readonly Channel<Job> _queue;
    private readonly Slot[] _slots;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stopping = new();
    private readonly int _vocab;
    // One step's entries, [budget] each, and its logits, [slots, vocab].
    private readonly int[] _entrySlot, _entryToken, _outputs, _outputSlot;
    private readonly float[] _logits;
    private readonly int _budget;
    private int _waiting;
    private int _busy;
    private long _promptEvaluated, _reused, _copied;

    /// <param name="slots">requests generating at once (each has a KV cache of <paramref name="contextSize"/> tokens)</param>
    /// <param name="queueLimit">requests that may wait for a slot</param>
    /// <param name="maxBatch">most tokens evaluated in one step (decoding tokens first, then prompt chunks)</param>
    public BatchScheduler(Model model, WorkerPool pool, Tokenizer? tokenizer, int slots, int contextSize, int queueLimit, int maxBatch = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueLimit, 1);
        _tokenizer = tokenizer;
        _vocab = model.Config.VocabSize;
        _budget = Math.Max(maxBatch, slots);
        _batch = new DecoderBatch(model, pool, slots, contextSize, _budget);
        _queue = Channel.CreateBounded<Job>(new BoundedChannelOptions(queueLimit) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        _slots = new Slot[slots];
        for (int i = 0; i < slots; i++) _slots[i] = new Slot(i, contextSize);
        _entrySlot = new int[_budget];
        _entryToken = new int[_budget];
        _outputs = new int[slots];
        _outputSlot = new int[slots];
        _logits = new float[slots * _vocab];
        _thread = new Thread(Run) { IsBackground = true, Name = "weft-batch" };
        _thread.Start();
    }

    public int SlotCount => _slots.Length;
    public int ContextSize => _batch.ContextSize;
    /// <summary>Requests waiting for a slot.</summary>
    public int QueueDepth => Volatile.Read(ref _waiting);
    /// <summary>Slots holding a request now.</summary>
    public int BusySlots => Volatile.Read(ref _busy);
    /// <summary>Prompt tokens evaluated since construction (prompt tokens found in a cache are not counted).</summary>
    public long PromptTokensEvaluated => Interlocked.Read(ref _promptEvaluated);
    /// <summary>Prompt tokens taken from a cache instead of evaluated: a slot's own history, or another slot's copied.</summary>
    public long PromptTokensReused => Interlocked.Read(ref _reused);
    /// <summary>Of <see cref="PromptTokensReused"/>, those copied from another slot's cache.</summary>
    public long PromptTokensCopied => Interlocked.Read(ref _copied);

    /// <summary>
    /// Queues a generation; false when the queue is full. <paramref name="sink"/> is called on the scheduler's
    /// thread and must return quickly. Cancelling <paramref name="cancel"/> ends the request at the next step
    /// (its result then has <see cref="FinishReason.Cancelled"/>) and frees its slot.
    /// </summary>
    public bool TrySubmit(GenerationRequest request, TokenSink? sink, CancellationToken cancel, out Task<GenerationResult> result) =>
        TrySubmit(request, sink, null, cancel, out result);

    /// <summary>
    /// As the other overload; <paramref name="probabilities"/> (on the scheduler's thread, before the token's text) receives
    /// each token's log-probabilities when the request asks for them. A request with a
    /// <see cref="GenerationRequest.ContextSize"/> uses at most that many positions of its slot's cache.
    /// </summary>
    public bool TrySubmit(GenerationRequest request, TokenSink? sink, ProbabilitySink? probabilities, CancellationToken cancel, out Task<GenerationResult> result)
    {
        var job = new Job(request, sink, probabilities, cancel);
        result = job.Done.Task;
        Interlocked.Increment(ref _waiting);
        if (_queue.Writer.TryWrite(job)) return true;
        Interlocked.Decrement(ref _waiting);
        return false;
    }

    private void Run()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                Admit();
                if (Volatile.Read(ref _busy) == 0)
                {
                    if (!_queue.Reader.WaitToReadAsync(_stopping.Token).AsTask().GetAwaiter().GetResult()) return;
                    continue;
                }
                Step();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Moves queued requests into free slots, each into the free slot whose cached tokens share the longest prefix with its prompt.</summary>
    private void Admit()
    {
        while (true)
        {
            Slot? free = null;
            foreach (var s in _slots) if (s.Job == null) { free = s; break; }
            if (free == null || !_queue.Reader.TryRead(out var job)) return;
            Interlocked.Decrement(ref _waiting);
            if (job.Cancel.IsCancellationRequested) { job.Done.TrySetCanceled(job.Cancel); continue; }
            var prompt = job.Request.Prompt;
            try
            {
                job.Context = job.Request.EffectiveContext(ContextSize);
                GenerationState.Validate(job.Request, _vocab, job.Context, _tokenizer);
                job.State = new GenerationState(job.Request, _vocab, _tokenizer, job.Sink, job.Probabilities);
            }
            catch (Exception e)
            {
                job.Done.TrySetException(e);
                continue;
            }
            int best = -1;
            foreach (var s in _slots)
                if (s.Job == null && (best < 0 || s.CommonPrefix(prompt) > _slots[best].CommonPrefix(prompt))) best = s.Index;
            var slot = _slots[best];
            int common = slot.CommonPrefix(prompt);
            // a longer prefix evaluated in another slot (busy or not) is copied over instead of evaluated again
            Slot? donor = null;
            foreach (var s in _slots)
                if (s != slot && s.CommonPrefix(prompt) > (donor?.CommonPrefix(prompt) ?? common)) donor = s;
            if (common == prompt.Count) common--; // the last prompt token is evaluated again for its logits
            if (donor != null)
            {
                common = Math.Min(donor.CommonPrefix(prompt), prompt.Count - 1);
                _batch.CopyPrefix(donor.Index, slot.Index, common);
                Array.Copy(donor.History, slot.History, common);
                Interlocked.Add(ref _copied, common);
            }
            _batch.Truncate(slot.Index, common);
            slot.HistoryLength = common;
            Interlocked.Add(ref _reused, common);
            slot.Start(job);
            Interlocked.Increment(ref _busy);
        }
    }

    private void Step()
    {
        // Requests cancelled since the last step leave now.
        foreach (var s in _slots)
            if (s.Job is { } j && j.Cancel.IsCancellationRequested)
            {
                j.State!.Cancel();
                Finish(s);
            }
        int n = 0, outputs = 0;
        foreach (var s in _slots)
        {
            if (s.Job == null || s.Prefilling) continue;
            _entrySlot[n] = s.Index;
            _entryToken[n] = s.Next;
            _outputSlot[outputs] = s.Index;
            _outputs[outputs++] = n++;
        }
        foreach (var s in _slots)
        {
            if (s.Job == null || !s.Prefilling || n == _budget) continue;
            var prompt = s.Job.Request.Prompt;
            int from = s.HistoryLength + s.Queued;
            int take = Math.Min(prompt.Count - from, _budget - n);
            for (int i = 0; i < take; i++)
            {
                _entrySlot[n] = s.Index;
                _entryToken[n++] = prompt[from + i];
            }
            s.Queued += take;
            Interlocked.Add(ref _promptEvaluated, take);
            if (from + take == prompt.Count)
            {
                _outputSlot[outputs] = s.Index;
                _outputs[outputs++] = n - 1;
            }
        }
        if (n == 0) return;
        try
        {
            _batch.Evaluate(_entrySlot.AsSpan(0, n), _entryToken.AsSpan(0, n), _outputs.AsSpan(0, outputs), _logits);
        }
        catch (Exception e)
        {
            foreach (var s in _slots)
                if (s.Job is { } j)
                {
                    j.Done.TrySetException(e);
                    s.Clear();
                    s.HistoryLength = 0;
                    _batch.Reset(s.Index);
                    Interlocked.Decrement(ref _busy);
                }
            return;
        }
        for (int i = 0; i < n; i++)
        {
            var s = _slots[_entrySlot[i]];
            s.History[s.HistoryLength++] = _entryToken[i];
        }
        foreach (var s in _slots) s.Queued = 0;
        for (int o = 0; o < outputs; o++)
        {
            var s = _slots[_outputSlot[o]];
            var job = s.Job!;
            if (s.Prefilling)
            {
                s.Prefilling = false;
                s.PromptTime = s.Clock.Elapsed;
                s.Clock.Restart();
            }
            int next = job.State!.Step(_logits.AsSpan(o * _vocab, _vocab), s.History.AsSpan(0, s.HistoryLength),
                _batch.Position(s.Index) >= job.Context, job.Cancel);
            if (next < 0) Finish(s);
            else s.Next = next;
        }
    }

    private void Finish(Slot s)
    {
        var job = s.Job!;
        try
        {
            job.Done.TrySetResult(job.State!.Complete(job.Request.Prompt.Count, s.Prefilling ? s.Clock.Elapsed : s.PromptTime, s.Prefilling ? TimeSpan.Zero : s.Clock.Elapsed));
        }
        catch (Exception e)
        {
            job.Done.TrySetException(e);
        }
        if (s.Prefilling)
        {
            // The cache holds part of the prompt only: keep what the history records.
            _batch.Truncate(s.Index, s.HistoryLength);
        }
        s.Clear();
        Interlocked.Decrement(ref _busy);
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stopping.Cancel();
        _thread.Join();
        while (_queue.Reader.TryRead(out var job)) job.Done.TrySetCanceled();
        foreach (var s in _slots) s.Job?.Done.TrySetCanceled();
        _stopping.Dispose();
    }

    private sealed class Job(GenerationRequest request, TokenSink? sink, ProbabilitySink? probabilities, CancellationToken cancel)
    {
        public GenerationRequest Request { get; } = request;
        public TokenSink? Sink { get; } = sink;
        public ProbabilitySink? Probabilities { get; } = probabilities;
        /// <summary>Positions of the slot's cache this request may fill.</summary>
        public int Context { get; set; }
        public CancellationToken Cancel { get; } = cancel;
        public GenerationState? State { get; set; }
        public TaskCompletionSource<GenerationResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Slot(int index, int contextSize)
    {
        public int Index { get; } = index;
        /// <summary>Tokens in this slot's cache, oldest first (kept after a request ends, for the next one's prefix).</summary>
        public int[] History { get; } = new int[contextSize];
        public int HistoryLength;
        public Job? Job;
        /// <summary>The prompt is still being evaluated.</summary>
        public bool Prefilling;
        /// <summary>Prompt tokens placed in the current step.</summary>
        public int Queued;
        /// <summary>The sampled token to evaluate in the next step.</summary>
        public int Next;
        public readonly Stopwatch Clock = new();
        public TimeSpan PromptTime;

        public int CommonPrefix(IReadOnlyList<int> prompt)
        {
            int common = 0;
            while (common < HistoryLength && common < prompt.Count && History[common] == prompt[common]) common++;
            return common;
        }

        public void Start(Job job)
        {
            Job = job;
            Prefilling = true;
            Queued = 0;
            PromptTime = TimeSpan.Zero;
            Clock.Restart();
        }

        public void Clear()
        {
            Job = null;
            Prefilling = false;
            Queued = 0;
        }
    }
}
