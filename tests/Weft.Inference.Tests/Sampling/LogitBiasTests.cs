// logit_bias in the chain: a biased token wins, a banned one is never drawn, the bias runs before the penalties.
using Weft.Inference.Sampling;
using Xunit.Abstractions;

namespace Weft.Inference.Tests.Sampling;

public class LogitBiasTests(ITestOutputHelper output)
{
    private float[] RandomLogits(int seed, int n)
    {
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var logits = new float[n];
        for (int i = 0; i < n; i++) logits[i] = (float)(rng.NextDouble() * 8 - 4);
        return logits;
    }

    private static int ArgMax(float[] x) => Array.IndexOf(x, x.Max());

    [Fact]
    public void AStrongBiasMakesItsTokenTheGreedyPick()
    {
        var logits = RandomLogits(Environment.TickCount, 97);
        int best = ArgMax(logits);
        int target = (best + 13) % logits.Length;
        var chain = new SamplerChain(SamplingOptions.Greedy with { LogitBias = new Dictionary<int, float> { [target] = 100f } }, logits.Length);
        Assert.Equal(target, chain.Sample(logits, []));
        // without the bias the chain picks the argmax: the bias is what moved it
        Assert.Equal(best, new SamplerChain(SamplingOptions.Greedy, logits.Length).Sample(logits, []));
    }

    [Fact]
    public void ABiasAddsToTheLogitExactly()
    {
        var logits = new float[] { 1f, 2f, 3f };
        // 1 + 2.5 = 3.5 beats 3; 1 + 1.5 = 2.5 does not
        Assert.Equal(0, new SamplerChain(SamplingOptions.Greedy with { LogitBias = new Dictionary<int, float> { [0] = 2.5f } }, 3).Sample(logits, []));
        Assert.Equal(2, new SamplerChain(SamplingOptions.Greedy with { LogitBias = new Dictionary<int, float> { [0] = 1.5f } }, 3).Sample(logits, []));
    }

    [Fact]
    public void BannedTokensAreNeverDrawn()
    {
        int seed = Environment.TickCount;
        var logits = RandomLogits(seed, 50);
        var banned = Enumerable.Range(0, 50).OrderByDescending(i => logits[i]).Take(5).ToHashSet();
        var options = new SamplingOptions
        {
            Temperature = 1f, TopK = 0, TopP = 1f, MinP = 0f, Seed = (ulong)seed,
            LogitBias = banned.ToDictionary(i => i, _ => float.NegativeInfinity),
        };
        var chain = new SamplerChain(options, logits.Length);
        for (int i = 0; i < 2000; i++) Assert.DoesNotContain(chain.Sample(logits, []), banned);
    }

    [Fact]
    public void TheBiasRunsBeforeThePenalties()
    {
        // token 0 is biased from 1 to 4, then the repeat penalty (it is in the history) divides that by 2: 2 < 3
        var logits = new float[] { 1f, 0f, 3f };
        var options = SamplingOptions.Greedy with { LogitBias = new Dictionary<int, float> { [0] = 3f }, RepeatPenalty = 2f, RepeatLastN = -1 };
        Assert.Equal(2, new SamplerChain(options, 3).Sample(logits, [0]));
        // with the penalty applied first it would be 1/2 + 3 = 3.5 > 3
    }

    [Fact]
    public void IdsOutsideTheVocabularyAndPositiveInfinityAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerChain(SamplingOptions.Greedy with { LogitBias = new Dictionary<int, float> { [3] = 1f } }, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerChain(SamplingOptions.Greedy with { LogitBias = new Dictionary<int, float> { [-1] = 1f } }, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerChain(SamplingOptions.Greedy with { LogitBias = new Dictionary<int, float> { [0] = float.PositiveInfinity } }, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerChain(SamplingOptions.Greedy with { LogitBias = new Dictionary<int, float> { [0] = float.NaN } }, 3));
    }
}
