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
    private IRangeJob? _job;
    private int _count;
    private int _chunk;
    private int _next;
    private int _pending;
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
        _next = 0;
        _failure = null;
        Volatile.Write(ref _pending, _threads.Length);
        Interlocked.Increment(ref _generation);
        int sleepers = Volatile.Read(ref _sleepers);
        if (sleepers > 0) _wake.Release(sleepers);
        Work(0);
        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(-1);
        _job = null;
        if (_failure != null) throw new AggregateException("a worker thread failed", _failure);
    }

    private void Work(int worker)
    {
        var job = _job!;
        try
        {
            while (true)
            {
                int start = Interlocked.Add(ref _next, _chunk) - _chunk;
                if (start >= _count) break;
                job.Execute(start, Math.Min(start + _chunk, _count), worker);
            }
        }
        catch (Exception e)
        {
            _failure = e;
            Volatile.Write(ref _next, int.MaxValue / 2);
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
            Work(worker);
            Volatile.Write(ref _workerAllocated[worker], GC.GetAllocatedBytesForCurrentThread());
            Interlocked.Decrement(ref _pending);
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
