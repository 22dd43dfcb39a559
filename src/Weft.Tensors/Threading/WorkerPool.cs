// A persistent pool of worker threads: the caller and the workers split a range of work items between them.
// Dispatch is a generation counter the workers spin on briefly before parking, so a job costs no allocation
// and no Task or ThreadPool work item.
namespace Weft.Tensors.Threading;

/// <summary>A unit of parallel work: <see cref="Execute"/> is called for disjoint chunks [start, end) of the range.</summary>
public interface IRangeJob
{
    void Execute(int start, int end, int worker);
}

public sealed class WorkerPool : IDisposable
{
    /// <summary>Spin iterations before a waiting thread parks; enough to cover the gap between two matmuls.</summary>
    private const int SpinIterations = 20_000;

    private readonly Thread[] _threads;
    private readonly SemaphoreSlim _wake;
    private readonly Lock _gate = new();
    // The job of the current generation; written by the caller before it opens the generation in _ticket.
    private IRangeJob? _job;
    private int _count;
    private int _chunk;
    // (generation << 32) | next item to claim. A claim is a compare-and-swap that also checks the generation, so a
    // worker that wakes late, after its job was finished and another published, can never claim the new job's items
    // with the old job's fields. Closed is stored as the next item once every item is done.
    private long _ticket;
    private const int Closed = int.MaxValue;
    private int _done;           // items finished in the current generation
    private long _generation;
    private volatile bool _stopping;
    private int _sleepers;
    private Exception? _failure;
    private readonly long[] _workerAllocated;

    public int ThreadCount { get; }

    public WorkerPool(int threads)
    {
        ThreadCount = Math.Max(1, threads);
        _wake = new SemaphoreSlim(0);
        _threads = new Thread[ThreadCount - 1];
        _workerAllocated = new long[ThreadCount];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"weft-worker-{worker}" };
            _threads[i].Start();
        }
    }

    public static int DefaultThreadCount => Math.Max(1, Environment.ProcessorCount);

    /// <summary>Runs <paramref name="job"/> over [0, count) in chunks of <paramref name="chunk"/> items and returns when all are done.
    /// Callers on different threads take turns; a job must not call Run itself.</summary>
    public void Run(IRangeJob job, int count, int chunk = 0)
    {
        lock (_gate) RunLocked(job, count, chunk);
    }

    private void RunLocked(IRangeJob job, int count, int chunk)
    {
        if (count <= 0) return;
        if (chunk <= 0) chunk = Math.Max(1, (count + ThreadCount * 4 - 1) / (ThreadCount * 4));
        if (_threads.Length == 0 || count <= chunk)
        {
            job.Execute(0, count, 0);
            return;
        }
        _job = job;
        _count = count;
        _chunk = chunk;
        _failure = null;
        Volatile.Write(ref _done, 0);
        long generation = Interlocked.Increment(ref _generation);
        Volatile.Write(ref _ticket, TicketOf(generation, 0));
        int sleepers = Volatile.Read(ref _sleepers);
        if (sleepers > 0) _wake.Release(sleepers);
        Work(0, generation);
        // Only items claimed by someone are waited for: a worker that has not woken yet finds the job finished (or
        // another one open) and claims nothing, so a descheduled worker never holds up the caller.
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) < count) spin.SpinOnce(-1);
        Volatile.Write(ref _ticket, TicketOf(generation, Closed));
        _job = null;
        if (_failure != null) throw new AggregateException("a worker thread failed", _failure);
    }

    /// <summary>The generation's low 32 bits (a worker would have to sleep through 2^32 jobs to be fooled) and the next item.</summary>
    private static long TicketOf(long generation, int next) => ((long)(uint)generation << 32) | (uint)next;

    /// <summary>Claims and runs chunks of generation <paramref name="generation"/> until none is left.</summary>
    private void Work(int worker, long generation)
    {
        while (true)
        {
            long ticket = Volatile.Read(ref _ticket);
            if (ticket >> 32 != (uint)generation) return;
            int start = (int)ticket;
            // the fields are this generation's: they are rewritten only after the ticket is closed, which fails the claim
            IRangeJob? job = _job;
            int count = _count, chunk = _chunk;
            if (start >= count || job == null) return;
            if (Interlocked.CompareExchange(ref _ticket, ticket + chunk, ticket) != ticket) continue;
            int end = Math.Min(start + chunk, count);
            try
            {
                job.Execute(start, end, worker);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            Interlocked.Add(ref _done, end - start);
        }
    }

    private void WorkerLoop(int worker)
    {
        long seen = 0;
        while (true)
        {
            int spins = 0;
            while (Volatile.Read(ref _generation) == seen && !_stopping)
            {
                if (++spins < SpinIterations) Thread.SpinWait(20);
                else
                {
                    Interlocked.Increment(ref _sleepers);
                    if (Volatile.Read(ref _generation) == seen && !_stopping) _wake.Wait(50);
                    Interlocked.Decrement(ref _sleepers);
                    spins = SpinIterations / 2;
                }
            }
            if (_stopping) return;
            seen = Volatile.Read(ref _generation);
            Work(worker, seen);
            Volatile.Write(ref _workerAllocated[worker], GC.GetAllocatedBytesForCurrentThread());
        }
    }

    /// <summary>Managed bytes allocated so far by the worker threads (not the callers), as of their last job.</summary>
    public long WorkerAllocatedBytes
    {
        get
        {
            long sum = 0;
            for (int i = 1; i < _workerAllocated.Length; i++) sum += Volatile.Read(ref _workerAllocated[i]);
            return sum;
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_threads.Length > 0) _wake.Release(_threads.Length);
        foreach (var t in _threads) t.Join();
        _wake.Dispose();
    }
}
