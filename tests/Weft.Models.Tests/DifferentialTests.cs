// Whole-model agreement with llama.cpp on tiny random models: every shape of the matrix, every weight type.
using Weft.Models.Synthetic;
using Weft.TestKit;
using Xunit.Abstractions;

namespace Weft.Models.Tests;

public class DifferentialTests(ITestOutputHelper output)
{
    public static readonly Dictionary<string, SyntheticModelSpec> Shapes = new()
    {
        ["mha-64"] = new() { Name = "mha-64", Embedding = 64, Heads = 2, KvHeads = 2, Layers = 1, FeedForward = 96, Seed = 11 },
        ["gqa-96"] = new() { Name = "gqa-96", Embedding = 96, Heads = 3, KvHeads = 1, HeadDim = 32, Layers = 2, FeedForward = 160, Seed = 12 },
        ["gqa-256"] = new() { Name = "gqa-256", Embedding = 256, Heads = 8, KvHeads = 2, Layers = 2, FeedForward = 512, Seed = 13 },
        ["mqa-256-hd128"] = new() { Name = "mqa-256-hd128", Embedding = 256, Heads = 2, KvHeads = 1, Layers = 3, FeedForward = 256, Seed = 14 },
        ["real-vocab-4l"] = new SyntheticModelSpec { Name = "real-vocab-4l", Embedding = 256, Heads = 4, KvHeads = 4, Layers = 4, FeedForward = 384, Seed = 15 }.WithLlamaVocabulary(),
        ["tied-128"] = new() { Name = "tied-128", Embedding = 128, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 256, TiedOutput = true, Seed = 16 },
        ["rope-linear"] = new() { Name = "rope-linear", Embedding = 128, Heads = 2, KvHeads = 2, Layers = 1, FeedForward = 256, RopeScaling = "linear", RopeFactor = 4f, Seed = 17 },
        ["rope-yarn"] = new() { Name = "rope-yarn", Embedding = 128, Heads = 2, KvHeads = 2, Layers = 1, FeedForward = 256, RopeScaling = "yarn", RopeFactor = 4f, RopeOriginalContext = 64, Seed = 18 },
        ["rope-freqs"] = new() { Name = "rope-freqs", Embedding = 128, Heads = 2, KvHeads = 1, Layers = 1, FeedForward = 256, RopeFreqFactors = true, RopeBase = 500000f, Seed = 19 },
        ["experts"] = new() { Name = "experts", Embedding = 128, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 192, Experts = 4, ExpertsUsed = 2, Seed = 20 },
    };

    public static TheoryData<string> ShapeNames() => new(Shapes.Keys);

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void F32LogitsMatchTheOracle(string shape)
    {
        var spec = Shapes[shape];
        string path = TinyModels.Write(spec);
        var ids = TinyModels.RandomPrompt(spec.VocabSize, 40, spec.Seed);
        var expected = Oracle.Logits(path, ids);
        var actual = Engine.Logits(path, ids);
        Assert.Equal(expected.Length, actual.Length);
        double nmse = LogitMetrics.Nmse(expected, actual);
        double top1 = LogitMetrics.TolerantTop1(expected, actual, spec.VocabSize, Tolerances.FloatTop1Margin);
        output.WriteLine($"{shape}: NMSE {nmse:E2}, tolerant top-1 {top1:P1}");
        Assert.True(nmse <= Tolerances.F32Nmse, $"NMSE {nmse}");
        Assert.True(top1 >= Tolerances.FloatTop1Share, $"tolerant top-1 {top1}");
    }
}
