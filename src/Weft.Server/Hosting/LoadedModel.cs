// A model in memory with its generation slots: each slot is a thread with its own KV cache, fed from one bounded queue.
using System.Threading.Channels;
using Weft.Inference.Chat;
using Weft.Inference.Generation;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;
using Weft.Tokenizers;

namespace Weft.Server.Hosting;

public sealed class LoadedModel : IDisposable
{
    private readonly Channel<GenerationJob> _queue;
    private readonly Thread[] _slots;
    private readonly CancellationTokenSource _stopping = new();
    private int _waiting;
    private int _busy;

    internal LoadedModel(ModelEntry entry, Model model, WorkerPool pool, int contextSize, int parallel, int queueLimit)
    {
        Entry = entry;
        Model = model;
        Tokenizer = model.Tokenizer;
        ContextSize = contextSize;
        _queue = Channel.CreateBounded<GenerationJob>(new BoundedChannelOptions(queueLimit) { FullMode = BoundedChannelFullMode.Wait });
        _slots = new Thread[parallel];
        for (int i = 0; i < parallel; i++)
        {
            var generator = new Generator(new DecoderSession(model, pool, contextSize), Tokenizer);
            _slots[i] = new Thread(() => Serve(generator)) { IsBackground = true, Name = $"weft-slot-{entry.Id}-{i}" };
            _slots[i].Start();
        }
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
    public int QueueDepth => Volatile.Read(ref _waiting);
    /// <summary>Slots generating now.</summary>
    public int BusySlots => Volatile.Read(ref _busy);
    public bool Idle => QueueDepth == 0 && BusySlots == 0;

    /// <summary>Queues a generation; false when the queue is full.</summary>
    internal bool TryEnqueue(GenerationJob job)
    {
        LastUsed = DateTime.UtcNow;
        Interlocked.Increment(ref _waiting);
        if (_queue.Writer.TryWrite(job)) return true;
        Interlocked.Decrement(ref _waiting);
        return false;
    }

    private void Serve(Generator generator)
    {
        var reader = _queue.Reader;
        try
        {
            while (reader.WaitToReadAsync(_stopping.Token).AsTask().GetAwaiter().GetResult())
            {
                if (!reader.TryRead(out var job)) continue;
                Interlocked.Decrement(ref _waiting);
                if (job.Cancel.IsCancellationRequested) { job.Done.TrySetCanceled(job.Cancel); continue; }
                Interlocked.Increment(ref _busy);
                try
                {
                    job.Done.TrySetResult(generator.Generate(job.Request, job.Sink, job.Cancel));
                }
                catch (Exception e)
                {
                    job.Done.TrySetException(e);
                }
                finally
                {
                    Interlocked.Decrement(ref _busy);
                    LastUsed = DateTime.UtcNow;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stopping.Cancel();
        foreach (var t in _slots) t.Join();
        while (_queue.Reader.TryRead(out var job)) job.Done.TrySetCanceled();
        Model.Dispose();
        _stopping.Dispose();
    }
}
