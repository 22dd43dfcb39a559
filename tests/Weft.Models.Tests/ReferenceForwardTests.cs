// The engine against an independent float64 forward pass: sliding windows (which the oracle ignores for llama)
// and prompts split over several batches.
using Weft.Models.Synthetic;
using Weft.TestKit;
using Xunit.Abstractions;

namespace Weft.Models.Tests;

public class ReferenceForwardTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0, 64)]
    [InlineData(5, 64)]
    [InlineData(16, 7)]
    [InlineData(1, 3)]
    public void MatchesFloat64Reference(int window, int batch)
    {
        var spec = new SyntheticModelSpec { Name = $"swa-{window}", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 96, SlidingWindow = window, Seed = 31 };
        string path = TinyModels.Write(spec);
        var ids = TinyModels.RandomPrompt(spec.VocabSize, 33, 5);
        var expected = ReferenceForward.Logits(path, ids);
        var actual = Engine.Logits(path, ids, batch);
        double nmse = LogitMetrics.Nmse(expected, actual);
        output.WriteLine($"window {window}, batch {batch}: NMSE {nmse:E2}");
        Assert.True(nmse <= Tolerances.F32Nmse, $"NMSE {nmse}");
    }

    [Fact]
    public void SlidingWindowChangesLogitsOnlyPastTheWindow()
    {
        var full = new SyntheticModelSpec { Name = "swa-none", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 96, Seed = 32 };
        var windowed = full with { Name = "swa-8", SlidingWindow = 8 };
        var ids = TinyModels.RandomPrompt(full.VocabSize, 20, 6);
        var a = Engine.Logits(TinyModels.Write(full), ids);
        var b = Engine.Logits(TinyModels.Write(windowed), ids);
        int v = full.VocabSize;
        Assert.True(LogitMetrics.Nmse(a.AsSpan(0, 8 * v), b.AsSpan(0, 8 * v)) < 1e-12, "positions inside the window must not change");
        Assert.True(LogitMetrics.Nmse(a.AsSpan(8 * v), b.AsSpan(8 * v)) > 1e-4, "positions past the window must change");
    }
}
