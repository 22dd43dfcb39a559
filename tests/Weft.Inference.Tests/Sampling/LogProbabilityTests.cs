// Log-probabilities of the raw logits, for reporting.
using Weft.Inference.Sampling;

namespace Weft.Inference.Tests.Sampling;

public class LogProbabilityTests
{
    [Fact]
    public void LogSoftmaxMatchesReference()
    {
        var rng = new Random(17);
        foreach (int n in new[] { 1, 2, 5, 1000 })
        {
            var logits = Reference.RandomLogits(rng, n, scale: 20f);
            var dest = new float[n];
            LogProbabilities.LogSoftmax(logits, dest);
            var p = Reference.Softmax(logits, Enumerable.Range(0, n));
            for (int i = 0; i < n; i++)
            {
                if (p[i] == 0) Assert.True(float.IsNegativeInfinity(dest[i]));
                else Assert.Equal(Math.Log(p[i]), dest[i], 1e-5);
                Assert.Equal(dest[i], LogProbabilities.Of(logits, i));
            }
        }
    }

    [Fact]
    public void TopReturnsTheMostLikelyWithTiesToLowerIds()
    {
        var rng = new Random(18);
        foreach (int n in new[] { 1, 3, 10, 500 })
        {
            for (int trial = 0; trial < 10; trial++)
            {
                var logits = Reference.RandomLogits(rng, n, tieRate: 0.4);
                foreach (int want in new[] { 0, 1, 5, 20 })
                {
                    var dest = new TokenLogProbability[want];
                    int got = LogProbabilities.Top(logits, dest);
                    Assert.Equal(Math.Min(want, n), got);
                    var expected = Reference.Order(logits).Take(got).ToArray();
                    Assert.Equal(expected, dest.Take(got).Select(t => t.Id));
                    for (int i = 0; i < got; i++) Assert.Equal(LogProbabilities.Of(logits, dest[i].Id), dest[i].LogProbability);
                }
            }
        }
    }
}
