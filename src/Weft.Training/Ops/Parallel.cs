// Splits a range of work among the engine's worker threads, or runs it inline when there is no pool or little work.
using Weft.Tensors.Threading;

namespace Weft.Training.Ops;

public static class Parallel
{
    /// <summary>Below this many multiply-adds a job runs on the calling thread (dispatch would cost more).</summary>
    public const long InlineWork = 65_536;

    private sealed class RangeJob(Action<int, int> body) : IRangeJob
    {
        public void Execute(int start, int end, int worker) => body(start, end);
    }

    /// <summary>Calls <paramref name="body"/> on disjoint chunks [start, end) of [0, count).</summary>
    /// <param name="work">total multiply-adds, to decide whether threads pay off.</param>
    /// <param name="chunk">items per chunk; 0 lets the pool choose.</param>
    public static void For(WorkerPool? pool, int count, long work, Action<int, int> body, int chunk = 0)
    {
        if (count <= 0) return;
        if (pool == null || pool.ThreadCount == 1 || count == 1 || work < InlineWork)
        {
            body(0, count);
            return;
        }
        pool.Run(new RangeJob(body), count, chunk);
    }

    /// <summary>Chunk size that gives each thread one contiguous share.</summary>
    public static int EvenChunk(WorkerPool? pool, int count) => pool == null ? count : Math.Max(1, (count + pool.ThreadCount - 1) / pool.ThreadCount);
}
