// Our engine, driven the way the tests compare it with the oracle.
using Weft.Models;
using Weft.Models.Adapters;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;

namespace Weft.TestKit;

public static class Engine
{
    private static readonly Lazy<WorkerPool> SharedPool = new(() => new WorkerPool(2));

    public static WorkerPool Pool => SharedPool.Value;

    /// <summary>Logits of every position of <paramref name="ids"/> evaluated in batches of <paramref name="batch"/> tokens.</summary>
    public static float[] Logits(string path, IReadOnlyList<int> ids, int batch = 512) => Logits(path, ids, [], batch);

    /// <summary>The same with LoRA adapters applied at inference.</summary>
    public static float[] Logits(string path, IReadOnlyList<int> ids, IReadOnlyList<LoraSpec> adapters, int batch = 512)
    {
        using var model = Model.Load(path, adapters);
        var session = new DecoderSession(model, Pool, contextSize: Math.Max(ids.Count, 16), maxBatch: batch);
        var logits = new float[ids.Count * model.Config.VocabSize];
        session.Evaluate(ids.ToArray(), logits, allLogits: true);
        return logits;
    }

    /// <summary>Greedy continuation of <paramref name="prompt"/>: argmax each step, ties to the lowest id (as the oracle decides).</summary>
    public static int[] Greedy(string path, IReadOnlyList<int> prompt, int n)
    {
        using var model = Model.Load(path);
        var session = new DecoderSession(model, Pool, contextSize: prompt.Count + n + 1);
        var logits = new float[model.Config.VocabSize];
        session.Evaluate(prompt.ToArray(), logits);
        var ids = new int[n];
        for (int i = 0; i < n; i++)
        {
            ids[i] = LogitMetrics.ArgMax(logits);
            if (i + 1 < n) session.Evaluate([ids[i]], logits);
        }
        return ids;
    }
}
