// A request's own context size and its log-probabilities, through the Generator and through the BatchScheduler.
using Weft.Inference.Batching;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;
using Weft.TestKit;

namespace Weft.Inference.Tests.Generation;

public class RequestOptionsTests
{
    private static readonly SyntheticModelSpec Spec = new()
    {
        Name = "request-options", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 128, Seed = 81, Context = 128,
    };

    /// <summary>The batched pass and a lone session compute the same sums, possibly in another order.</summary>
    private const float BatchedLogProbabilityTolerance = 1e-4f;

    private static GenerationRequest Request(int[] prompt) => new()
    {
        Prompt = prompt, MaxTokens = 100, Sampling = SamplingOptions.Greedy, StopAtEndOfGeneration = false,
    };

    [Fact]
    public async Task TheRequestsContextEndsGenerationEarly()
    {
        using var model = Model.Load(TinyModels.Write(Spec));
        using var pool = new WorkerPool(1);
        var generator = new Generator(new DecoderSession(model, pool, 64), tokenizer: null);
        var prompt = TinyModels.RandomPrompt(model.Config.VocabSize, 10, 3);
        var result = generator.Generate(Request(prompt) with { ContextSize = 14 });
        // 4 positions after the prompt: 4 tokens evaluated, and the one sampled from the last of them
        Assert.Equal(5, result.Tokens.Count);
        Assert.Equal(FinishReason.ContextFull, result.Finish);
        Assert.Null(result.Probabilities);

        using var scheduler = new BatchScheduler(model, pool, null, slots: 2, contextSize: 64, queueLimit: 4);
        Assert.True(scheduler.TrySubmit(Request(prompt) with { ContextSize = 14 }, null, CancellationToken.None, out var batched));
        var b = await batched;
        Assert.Equal(result.Tokens, b.Tokens);
        Assert.Equal(FinishReason.ContextFull, b.Finish);

        Assert.Throws<ArgumentException>(() => generator.Generate(Request(prompt) with { ContextSize = 0 }));
        Assert.Throws<ContextOverflowException>(() => generator.Generate(Request(prompt) with { ContextSize = 9 }));
    }

    [Fact]
    public async Task EachTokenCarriesItsLogProbabilityAndTheMostLikelyTokens()
    {
        using var model = Model.Load(TinyModels.Write(Spec));
        using var pool = new WorkerPool(1);
        var generator = new Generator(new DecoderSession(model, pool, 64), tokenizer: null);
        var prompt = TinyModels.RandomPrompt(model.Config.VocabSize, 8, 4);
        var request = Request(prompt) with { MaxTokens = 6, LogProbabilities = 3 };
        var sunk = new List<TokenProbabilities>();
        var result = generator.Generate(request, probabilities: sunk.Add);
        Assert.NotNull(result.Probabilities);
        Assert.Equal(result.Tokens, result.Probabilities.Select(p => p.Token));
        Assert.Equal(result.Probabilities, sunk);
        foreach (var p in result.Probabilities)
        {
            Assert.Equal(3, p.Top.Length);
            Assert.Equal(p.Token, p.Top[0].Id); // greedy
            Assert.Equal(p.LogProbability, p.Top[0].LogProbability);
            Assert.True(p.Top[0].LogProbability >= p.Top[1].LogProbability && p.Top[1].LogProbability >= p.Top[2].LogProbability);
            Assert.True(p.LogProbability <= 0);
        }

        using var scheduler = new BatchScheduler(model, pool, null, slots: 2, contextSize: 64, queueLimit: 4);
        var batchedSunk = new List<TokenProbabilities>();
        Assert.True(scheduler.TrySubmit(request, null, batchedSunk.Add, CancellationToken.None, out var batched));
        var b = await batched;
        Assert.Equal(result.Tokens, b.Tokens);
        Assert.Equal(b.Probabilities, batchedSunk);
        for (int i = 0; i < b.Tokens.Count; i++)
            Assert.InRange(b.Probabilities![i].LogProbability,
                result.Probabilities[i].LogProbability - BatchedLogProbabilityTolerance, result.Probabilities[i].LogProbability + BatchedLogProbabilityTolerance);
    }
}
