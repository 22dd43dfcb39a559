// Decoding a token allocates nothing, on the calling thread or on any worker thread.
using Weft.Models.Synthetic;
using Weft.Models.Transformer;
using Weft.TestKit;
using Weft.Tensors.Threading;

namespace Weft.Models.Tests;

[CollectionDefinition("alone", DisableParallelization = true)]
public class AloneCollection;

[Collection("alone")]
public class AllocationTests
{
    [Fact]
    public void HundredDecodedTokensAllocateNothing()
    {
        var spec = new SyntheticModelSpec { Name = "alloc", Embedding = 128, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 256, Experts = 4, ExpertsUsed = 2, Seed = 41 };
        using var model = Model.Load(TinyModels.Write(spec));
        Assert.Equal(0, BytesAllocatedByHundredTokens(model, spec.VocabSize));
    }

    [Fact]
    public void HundredDecodedTokensWithAnAdapterAllocateNothing()
    {
        var spec = new SyntheticModelSpec { Name = "alloc-lora", Embedding = 128, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 256, Seed = 43 };
        string basePath = TinyModels.Write(spec);
        string adapter = RandomAdapters.Write(basePath, RandomAdapters.AllProjections(basePath), rank: 4, alpha: 8, seed: 2);
        try
        {
            using var model = Model.Load(basePath, [new Weft.Models.Adapters.LoraSpec(adapter)]);
            Assert.False(model.Lora.IsEmpty);
            Assert.Equal(0, BytesAllocatedByHundredTokens(model, spec.Vocab));
        }
        finally
        {
            File.Delete(adapter);
        }
    }

    /// <summary>Managed bytes allocated on the caller and every worker while one session decodes 100 tokens, after a
    /// warm-up long enough for the tiered JIT to settle (instrumented tiers allocate while they profile).</summary>
    private static long BytesAllocatedByHundredTokens(Model model, int vocab)
    {
        using var pool = new WorkerPool(2);
        var session = new DecoderSession(model, pool, contextSize: 2048);
        var logits = new float[model.Config.VocabSize];
        int[] token = [1];
        session.Evaluate(TinyModels.RandomPrompt(vocab, 20, 1), logits);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; clock.ElapsedMilliseconds < 2000 || i < 200; i++)
        {
            if (session.Position == session.ContextSize) session.Truncate(20);
            token[0] = 3 + i % 100;
            session.Evaluate(token, logits);
        }
        session.Truncate(20);
        long before = GC.GetAllocatedBytesForCurrentThread() + pool.WorkerAllocatedBytes;
        for (int i = 0; i < 100; i++)
        {
            token[0] = 3 + i;
            session.Evaluate(token, logits);
        }
        return GC.GetAllocatedBytesForCurrentThread() + pool.WorkerAllocatedBytes - before;
    }

    [Fact]
    public void HundredBatchedStepsOfFourSequencesAllocateNothing()
    {
        var spec = new SyntheticModelSpec { Name = "alloc", Embedding = 128, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 256, Experts = 4, ExpertsUsed = 2, Seed = 41 };
        using var model = Model.Load(TinyModels.Write(spec));
        using var pool = new WorkerPool(2);
        var batch = new DecoderBatch(model, pool, 4, contextSize: 2048);
        var logits = new float[4 * model.Config.VocabSize];
        int[] seqs = [0, 1, 2, 3], toks = new int[4], outputs = [0, 1, 2, 3];
        void Step(int i)
        {
            for (int s = 0; s < 4; s++)
            {
                if (batch.Position(s) == batch.ContextSize) batch.Truncate(s, 20);
                toks[s] = 3 + (i + s) % 100;
            }
            batch.Evaluate(seqs, toks, outputs, logits);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; clock.ElapsedMilliseconds < 2000 || i < 200; i++) Step(i);
        for (int s = 0; s < 4; s++) batch.Truncate(s, 20);
        long before = GC.GetAllocatedBytesForCurrentThread() + pool.WorkerAllocatedBytes;
        for (int i = 0; i < 100; i++) Step(i);
        long allocated = GC.GetAllocatedBytesForCurrentThread() + pool.WorkerAllocatedBytes - before;
        Assert.Equal(0, allocated);
    }
}
