// Repetition, frequency and presence penalties on hand-made histories.
using Weft.Inference.Sampling;

namespace Weft.Inference.Tests.Sampling;

public class PenaltyTests
{
    private static float[] Apply(float[] logits, int[] history, int lastN, float repeat, float frequency, float presence)
    {
        var set = Reference.Load(logits);
        new PenaltySampler(logits.Length, lastN, repeat, frequency, presence).Apply(set, history);
        return set.Items.ToArray().OrderBy(c => c.Id).Select(c => c.Logit).ToArray();
    }

    [Fact]
    public void RepetitionDividesPositiveAndMultipliesNonPositiveLogits()
    {
        float[] logits = [2f, -2f, 0f, 1f, 4f];
        var got = Apply(logits, [0, 1, 2, 0, 0], lastN: 64, repeat: 2f, frequency: 0f, presence: 0f);
        Assert.Equal([1f, -4f, 0f, 1f, 4f], got); // counts do not matter for the repetition penalty
    }

    [Fact]
    public void FrequencyAndPresenceFollowTheOpenAiFormula()
    {
        float[] logits = [2f, -2f, 0f, 1f, 4f];
        // token 0 three times, token 3 once, token 4 never
        var got = Apply(logits, [0, 3, 0, 0], lastN: 64, repeat: 1f, frequency: 0.5f, presence: 0.25f);
        Assert.Equal([2f - 3 * 0.5f - 0.25f, -2f, 0f, 1f - 0.5f - 0.25f, 4f], got);
    }

    [Fact]
    public void AllThreeTogetherRepetitionFirst()
    {
        float[] logits = [3f, -1f];
        var got = Apply(logits, [0, 0, 1], lastN: -1, repeat: 1.5f, frequency: 0.1f, presence: 1f);
        Assert.Equal([3f / 1.5f - (2 * 0.1f + 1f), -1f * 1.5f - (0.1f + 1f)], got);
    }

    [Fact]
    public void OnlyTheLastNTokensCount()
    {
        float[] logits = [1f, 1f, 1f, 1f];
        int[] history = [0, 0, 1, 2, 2, 3];
        // window of 3: [2, 2, 3]
        Assert.Equal([1f, 1f, 1f - 2f, 1f - 1f], Apply(logits, history, lastN: 3, repeat: 1f, frequency: 1f, presence: 0f));
        // whole history
        Assert.Equal([-1f, 0f, -1f, 0f], Apply(logits, history, lastN: -1, repeat: 1f, frequency: 1f, presence: 0f));
        // window longer than the history
        Assert.Equal([-1f, 0f, -1f, 0f], Apply(logits, history, lastN: 100, repeat: 1f, frequency: 1f, presence: 0f));
        // off
        Assert.Equal(logits, Apply(logits, history, lastN: 0, repeat: 2f, frequency: 1f, presence: 1f));
        // empty history
        Assert.Equal(logits, Apply(logits, [], lastN: 64, repeat: 2f, frequency: 1f, presence: 1f));
    }

    [Fact]
    public void NegativeInfinityStaysNegativeInfinity()
    {
        float[] logits = [float.NegativeInfinity, 0.5f];
        var got = Apply(logits, [0, 1], lastN: 64, repeat: 1.3f, frequency: 0.2f, presence: -0.5f);
        Assert.True(float.IsNegativeInfinity(got[0]));
        Assert.Equal(0.5f / 1.3f - (0.2f - 0.5f), got[1]);
    }

    [Fact]
    public void RandomHistoriesMatchTheReferenceInAndOutOfIdOrder()
    {
        var rng = new Random(11);
        foreach (int n in new[] { 1, 2, 9, 100, 3001 })
        {
            for (int trial = 0; trial < 20; trial++)
            {
                var logits = Reference.RandomLogits(rng, n);
                var history = Enumerable.Range(0, rng.Next(0, 200)).Select(_ => rng.Next(Math.Min(n, 20))).ToArray();
                int lastN = new[] { -1, 1, 5, 64, 1000 }[rng.Next(5)];
                float repeat = (float)(0.5 + rng.NextDouble() * 1.5);
                float freq = (float)(rng.NextDouble() - 0.3);
                float pres = (float)(rng.NextDouble() - 0.3);
                var expected = Reference.Penalties(logits, history, lastN, repeat, freq, pres);
                var sampler = new PenaltySampler(n, lastN, repeat, freq, pres);

                var set = Reference.Load(logits);
                sampler.Apply(set, history);
                Assert.Equal(expected, set.Items.ToArray().Select(c => c.Logit));

                // the same sampler again (its scratch counts must be clean), on a reordered set
                set = Reference.Load(logits);
                set.SortAll();
                Assert.False(set.IsInIdOrder);
                sampler.Apply(set, history);
                Assert.Equal(expected, set.Items.ToArray().OrderBy(c => c.Id).Select(c => c.Logit));
                if (sampler.Window(history).Length > 0) Assert.Equal(0, set.SortedCount);
            }
        }
    }

    [Fact]
    public void TokenOutsideTheVocabularyIsRejectedWithoutSideEffects()
    {
        var sampler = new PenaltySampler(4, 64, 2f, 0f, 0f);
        var set = Reference.Load([1f, 1f, 1f, 1f]);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Apply(set, [1, 4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Apply(set, [-1]));
        Assert.Equal([1f, 1f, 1f, 1f], set.Items.ToArray().Select(c => c.Logit));
        sampler.Apply(set, [2]);
        Assert.Equal([1f, 1f, 0.5f, 1f], set.Items.ToArray().Select(c => c.Logit));
    }
}
