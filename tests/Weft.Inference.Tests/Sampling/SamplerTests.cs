// Each sampler on its own against the float64 reference, plus the properties that define it.
using Weft.Inference.Sampling;

namespace Weft.Inference.Tests.Sampling;

public class SamplerTests
{
    public static TheoryData<int> VocabSizes => new() { 1, 2, 3, 7, 31, 257, 1001, 4099 };

    [Theory]
    [MemberData(nameof(VocabSizes))]
    public void SoftmaxMatchesReference(int n)
    {
        var rng = new Random(1000 + n);
        for (int trial = 0; trial < 20; trial++)
        {
            var logits = Reference.RandomLogits(rng, n, scale: 30f);
            var set = Reference.Load(logits);
            set.Softmax();
            var expected = Reference.Softmax(logits, Enumerable.Range(0, n));
            double total = 0;
            foreach (var c in set.Items)
            {
                Assert.True(Math.Abs(c.Probability - expected[c.Id]) <= 1e-14 + 1e-12 * expected[c.Id], $"token {c.Id}: {c.Probability} vs {expected[c.Id]}");
                total += c.Probability;
            }
            Assert.Equal(1.0, total, 1e-12);
        }
    }

    [Fact]
    public void SoftmaxOfAllNegativeInfinityIsUniformAndOfOneFiniteIsCertain()
    {
        var set = Reference.Load([float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity]);
        set.Softmax();
        foreach (var c in set.Items) Assert.Equal(0.25, c.Probability);

        set = Reference.Load([float.NegativeInfinity, -3f, float.NegativeInfinity]);
        set.Softmax();
        Assert.Equal([0.0, 1.0, 0.0], set.Items.ToArray().Select(c => c.Probability));
    }

    [Theory]
    [MemberData(nameof(VocabSizes))]
    public void TopKKeepsExactlyTheKHighestInOrder(int n)
    {
        var rng = new Random(2000 + n);
        foreach (int k in new[] { 1, 2, 3, 5, 40, 256, n - 1, n, n + 5 })
        {
            if (k <= 0) continue;
            var logits = Reference.RandomLogits(rng, n, tieRate: 0.3);
            var set = Reference.Load(logits);
            new TopKSampler(k).Apply(set);
            var expected = Reference.TopK(logits, Enumerable.Range(0, n), k);
            var got = Reference.Ids(set);
            if (k >= n)
                Assert.Equal(Enumerable.Range(0, n), got); // untouched
            else
            {
                Assert.Equal(expected, got);
                Assert.Equal(k, set.SortedCount);
                // everything dropped is below the last kept in candidate order
                float lastKept = logits[got[^1]];
                for (int id = 0; id < n; id++)
                    if (!got.Contains(id)) Assert.True(logits[id] < lastKept || (logits[id] == lastKept && id > got[^1]));
            }
        }
    }

    [Fact]
    public void TopKZeroIsOff()
    {
        var logits = Reference.RandomLogits(new Random(3), 50);
        var set = Reference.Load(logits);
        new TopKSampler(0).Apply(set);
        Assert.Equal(50, set.Count);
        Assert.True(set.IsInIdOrder);
    }

    [Fact]
    public void PartialSortingAgreesWithFullSortOnEveryPrefixLength()
    {
        var rng = new Random(4);
        for (int n = 1; n <= 70; n++)
        {
            var logits = Reference.RandomLogits(rng, n, scale: 2f, tieRate: 0.5);
            var full = Reference.Order(logits);
            for (int k = 0; k <= n; k++)
            {
                var set = Reference.Load(logits);
                set.SortFirst(k);
                Assert.Equal(full.Take(k), Reference.Ids(set).Take(k));
                Assert.Equal(Enumerable.Range(0, n), Reference.Ids(set).Order()); // a permutation
                set.SortFirst(Math.Min(n, 2 * k + 1)); // extending a sorted prefix
                Assert.Equal(full.Take(Math.Min(n, 2 * k + 1)), Reference.Ids(set).Take(Math.Min(n, 2 * k + 1)));
            }
        }
    }

    [Fact]
    public void SelectionSurvivesAdversarialInputs()
    {
        foreach (var logits in new[]
        {
            Enumerable.Range(0, 5000).Select(i => (float)i).ToArray(),
            Enumerable.Range(0, 5000).Select(i => (float)-i).ToArray(),
            Enumerable.Repeat(1f, 5000).ToArray(),
            Enumerable.Range(0, 5000).Select(i => (float)(i % 2)).ToArray(),
        })
        {
            var set = Reference.Load(logits);
            set.SortFirst(100);
            Assert.Equal(Reference.Order(logits).Take(100), Reference.Ids(set).Take(100));
        }
    }

    [Theory]
    [MemberData(nameof(VocabSizes))]
    public void TopPKeepsTheMinimalPrefixReachingP(int n)
    {
        var rng = new Random(5000 + n);
        int checkedCases = 0;
        foreach (float p in new[] { 0f, 0.05f, 0.3f, 0.5f, 0.9f, 0.95f, 0.999f })
        {
            for (int trial = 0; trial < 5; trial++)
            {
                var logits = Reference.RandomLogits(rng, n, scale: trial % 2 == 0 ? 2f : 10f);
                var expected = Reference.TopP(logits, Enumerable.Range(0, n), p);
                if (expected is null) continue;
                var set = Reference.Load(logits);
                new TopPSampler(p).Apply(set);
                var got = Reference.Ids(set);
                if (n == 1)
                {
                    Assert.Equal([0], got);
                    checkedCases++;
                    continue;
                }
                Assert.Equal(expected, got);
                checkedCases++;
                // minimal: dropping the last kept one falls short of p, keeping them all reaches it
                var probs = Reference.Softmax(logits, Enumerable.Range(0, n));
                double all = got.Sum(i => probs[i]);
                double allButLast = all - probs[got[^1]];
                Assert.True(all >= p - 1e-12 && (got.Length == 1 || allButLast < p));
            }
        }
        Assert.True(checkedCases > 20);
    }

    [Fact]
    public void TopPOnAFlatLargeVocabularySortsPastTheFirstBlock()
    {
        // nearly uniform over 5001 tokens: reaching p = 0.9 needs about 4500 of them
        var rng = new Random(6);
        var logits = Enumerable.Range(0, 5001).Select(_ => (float)(rng.NextDouble() * 0.01)).ToArray();
        var set = Reference.Load(logits);
        new TopPSampler(0.9f).Apply(set);
        Assert.Equal(Reference.TopP(logits, Enumerable.Range(0, logits.Length), 0.9f), Reference.Ids(set));
        Assert.True(set.Count > 4000);
    }

    [Fact]
    public void TopPOneIsOffAndTopPKeepsAtLeastOne()
    {
        var logits = new float[] { 1, 5, 3, 5 };
        var set = Reference.Load(logits);
        new TopPSampler(1f).Apply(set);
        Assert.Equal(4, set.Count);
        new TopPSampler(0f).Apply(set);
        Assert.Equal([1], Reference.Ids(set)); // the tie goes to the lower id
    }

    [Theory]
    [MemberData(nameof(VocabSizes))]
    public void MinPKeepsThoseAboveTheRelativeThreshold(int n)
    {
        var rng = new Random(7000 + n);
        foreach (float p in new[] { 0.001f, 0.05f, 0.1f, 0.5f, 0.9f, 1f })
        {
            for (int trial = 0; trial < 5; trial++)
            {
                var logits = Reference.RandomLogits(rng, n, scale: 4f);
                var expected = Reference.MinP(logits, Enumerable.Range(0, n), p);
                if (expected is null) continue;
                var set = Reference.Load(logits);
                new MinPSampler(p).Apply(set);
                Assert.Equal(expected, Reference.Ids(set)); // same ids, relative order kept
            }
        }
    }

    [Fact]
    public void MinPAfterTopKKeepsTheSortedPrefix()
    {
        var rng = new Random(8);
        var logits = Reference.RandomLogits(rng, 300, scale: 3f);
        var set = Reference.Load(logits);
        new TopKSampler(50).Apply(set);
        new MinPSampler(0.2f).Apply(set);
        var expected = Reference.MinP(logits, Reference.TopK(logits, Enumerable.Range(0, 300), 50), 0.2)!;
        Assert.Equal(expected, Reference.Ids(set));
        Assert.Equal(set.Count, set.SortedCount);
    }

    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.5f)]
    [InlineData(0.8f)]
    [InlineData(1f)]
    [InlineData(1.7f)]
    [InlineData(10f)]
    public void TemperatureGivesSoftmaxOfScaledLogits(float t)
    {
        var rng = new Random((int)(t * 100));
        foreach (int n in new[] { 1, 3, 17, 1000 })
        {
            var logits = Reference.RandomLogits(rng, n, scale: 5f);
            var set = Reference.Load(logits);
            new TemperatureSampler(t).Apply(set);
            set.Softmax();
            // exactly the float-divided logits, and close to the exact l / T
            var exact = Reference.Softmax(logits.Select(l => l / t).ToArray(), Enumerable.Range(0, n));
            var exactDouble = logits.Select(l => (double)l / t).ToArray();
            double max = exactDouble.Max();
            var e = exactDouble.Select(x => double.IsNegativeInfinity(max) ? 1 : Math.Exp(x - max)).ToArray();
            double sum = e.Sum();
            foreach (var c in set.Items)
            {
                Assert.True(Math.Abs(c.Probability - exact[c.Id]) <= 1e-14 + 1e-12 * exact[c.Id]);
                Assert.True(Math.Abs(c.Probability - e[c.Id] / sum) <= 1e-9 + 1e-4 * e[c.Id] / sum);
            }
        }
    }

    [Fact]
    public void GreedyIsArgmaxWithTiesToTheLowestId()
    {
        var g = new GreedySampler();
        Assert.Equal(2, g.Select(Reference.Load([1f, 2f, 3f, 3f, -1f])));
        Assert.Equal(0, g.Select(Reference.Load([5f, 5f, 5f])));
        Assert.Equal(3, g.Select(Reference.Load([float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, -100f])));
        Assert.Equal(0, g.Select(Reference.Load([float.NegativeInfinity, float.NegativeInfinity])));

        var rng = new Random(9);
        foreach (int n in new[] { 1, 2, 5, 33, 999 })
        {
            for (int trial = 0; trial < 30; trial++)
            {
                var logits = Reference.RandomLogits(rng, n, tieRate: 0.4);
                int expected = Reference.Order(logits)[0];
                Assert.Equal(expected, g.Select(Reference.Load(logits)));
                // also after the order has been shuffled by other samplers
                var set = Reference.Load(logits);
                new TopKSampler(Math.Max(1, n / 2)).Apply(set);
                set.Items.Reverse();
                set.MarkUnsorted();
                Assert.Equal(expected, g.Select(set));
            }
        }
    }

    [Fact]
    public void OnlyTheFiniteTokenSurvivesEverySampler()
    {
        var logits = Enumerable.Repeat(float.NegativeInfinity, 101).ToArray();
        logits[57] = -20f;
        var set = Reference.Load(logits);
        new TopKSampler(10).Apply(set);
        new TopPSampler(0.5f).Apply(set);
        new MinPSampler(0.05f).Apply(set);
        new TemperatureSampler(0.7f).Apply(set);
        Assert.Equal([57], Reference.Ids(set));

        var dist = new DistSampler(1);
        for (int i = 0; i < 100; i++) Assert.Equal(57, dist.Select(Reference.Load(logits)));
        Assert.Equal(57, new GreedySampler().Select(Reference.Load(logits)));
    }

    [Fact]
    public void DistNeverPicksAZeroProbabilityToken()
    {
        var logits = new float[] { float.NegativeInfinity, 0f, float.NegativeInfinity, 1f, float.NegativeInfinity };
        var dist = new DistSampler(42);
        for (int i = 0; i < 5000; i++)
        {
            int t = dist.Select(Reference.Load(logits));
            Assert.True(t is 1 or 3);
        }
    }

    [Theory]
    [InlineData(2, 1UL)]
    [InlineData(5, 2UL)]
    [InlineData(12, 3UL)]
    [InlineData(40, 4UL)]
    public void DistFrequenciesMatchProbabilities(int n, ulong seed)
    {
        const int draws = 20000;
        var rng = new Random((int)seed);
        var logits = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 4)).ToArray();
        var probs = Reference.Softmax(logits, Enumerable.Range(0, n));
        var counts = new int[n];
        var dist = new DistSampler(seed);
        var set = new CandidateSet(n);
        for (int i = 0; i < draws; i++)
        {
            set.Load(logits);
            counts[dist.Select(set)]++;
        }
        double chi2 = 0;
        for (int i = 0; i < n; i++)
        {
            double expected = probs[i] * draws;
            chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        double bound = Reference.ChiSquareBound(n - 1);
        Assert.True(chi2 < bound, $"chi-square {chi2:F2} over the 99.9% bound {bound:F2} for {n - 1} degrees of freedom");
    }

    [Fact]
    public void DistDrawsOncePerCallEvenWithOneCandidate()
    {
        var a = new DistSampler(77);
        var b = new DistSampler(77);
        var logits = new float[] { 0.1f, 0.2f, 0.3f, 0.4f };
        for (int i = 0; i < 50; i++)
        {
            var one = Reference.Load(logits);
            one.Truncate(1);
            a.Select(one);
            b.Select(Reference.Load([0f]));
        }
        for (int i = 0; i < 50; i++) Assert.Equal(a.Select(Reference.Load(logits)), b.Select(Reference.Load(logits)));
    }
}
