// A prompt prefix evaluated in one slot serves a request in another: its keys and values are copied, not evaluated
// again, and the request's tokens are the ones it gets alone.
using Weft.Inference.Batching;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;
using Weft.TestKit;

namespace Weft.Inference.Tests.Generation;

public class SharedPrefixTests
{
    private static readonly SyntheticModelSpec Spec = new()
    {
        Name = "shared-prefix", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 128, Seed = 83, Context = 128,
    };

    private static GenerationRequest Request(int[] prompt, SamplingOptions sampling) => new()
    {
        Prompt = prompt, MaxTokens = 12, Sampling = sampling, StopAtEndOfGeneration = false,
    };

    private static readonly SamplingOptions Sampled = new() { Temperature = 1f, TopK = 0, TopP = 1f, MinP = 0f, Seed = 42 };

    /// <summary>Submits <paramref name="first"/>, waits until its prompt is evaluated (its first token), then submits
    /// <paramref name="second"/> while the first still holds its slot.</summary>
    private static async Task<(GenerationResult First, GenerationResult Second)> OneAfterTheOther(BatchScheduler scheduler, GenerationRequest first, GenerationRequest second)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new ManualResetEventSlim(false);
        // the first request's sink holds the scheduler thread after its first token until the second is queued
        Assert.True(scheduler.TrySubmit(first, (_, _) => { if (!started.Task.IsCompleted) { started.SetResult(); gate.Wait(); } }, CancellationToken.None, out var a));
        await started.Task;
        Assert.True(scheduler.TrySubmit(second, null, CancellationToken.None, out var b));
        gate.Set();
        return (await a, await b);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARepeatedPromptIsCopiedFromTheBusySlotAndAnswersAsAlone(bool sampled)
    {
        using var model = Model.Load(TinyModels.Write(Spec));
        using var pool = new WorkerPool(1);
        var prompt = TinyModels.RandomPrompt(model.Config.VocabSize, 40, 7);
        var sampling = sampled ? Sampled : SamplingOptions.Greedy;
        var alone = new Generator(new DecoderSession(model, pool, 128), tokenizer: null).Generate(Request(prompt, sampling));

        using var scheduler = new BatchScheduler(model, pool, null, slots: 2, contextSize: 128, queueLimit: 4);
        var (a, b) = await OneAfterTheOther(scheduler, Request(prompt, sampling), Request(prompt, sampling));
        Assert.Equal(alone.Tokens, a.Tokens);
        Assert.Equal(alone.Tokens, b.Tokens);
        // the second request evaluates only the prompt's last token again (for its logits)
        Assert.Equal(prompt.Length + 1, scheduler.PromptTokensEvaluated);
        Assert.Equal(prompt.Length - 1, scheduler.PromptTokensCopied);
    }

    [Fact]
    public async Task ASharedLeadingPartIsCopiedAndTheRestEvaluated()
    {
        using var model = Model.Load(TinyModels.Write(Spec));
        using var pool = new WorkerPool(1);
        var prompt = TinyModels.RandomPrompt(model.Config.VocabSize, 30, 8);
        var other = prompt[..18].Concat(TinyModels.RandomPrompt(model.Config.VocabSize, 9, 9)).ToArray();
        var alone = new Generator(new DecoderSession(model, pool, 128), tokenizer: null).Generate(Request(other, SamplingOptions.Greedy));

        using var scheduler = new BatchScheduler(model, pool, null, slots: 3, contextSize: 128, queueLimit: 4);
        var (_, b) = await OneAfterTheOther(scheduler, Request(prompt, SamplingOptions.Greedy), Request(other, SamplingOptions.Greedy));
        Assert.Equal(alone.Tokens, b.Tokens);
        int shared = 0;
        while (prompt[shared] == other[shared]) shared++;
        Assert.True(shared >= 18);
        Assert.Equal(shared, scheduler.PromptTokensCopied);
        Assert.Equal(prompt.Length + other.Length - shared, scheduler.PromptTokensEvaluated);
    }

    [Fact]
    public void CopyPrefixRefusesMoreThanTheSourceHolds()
    {
        using var model = Model.Load(TinyModels.Write(Spec));
        using var pool = new WorkerPool(1);
        var batch = new DecoderBatch(model, pool, 2, 32);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.CopyPrefix(0, 1, 1));
    }
}
