// Files the engine cannot run fail with a message naming what is wrong: the architecture, a missing tensor,
// a layout a family does not have.
using Weft.Formats;
using Weft.Models.Architectures;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Models.Tests;

public class ArchitectureErrorTests
{
    private static readonly SyntheticModelSpec Small = new() { Name = "err", Embedding = 64, Heads = 2, KvHeads = 2, Layers = 1, FeedForward = 96, Seed = 301 };

    [Theory]
    [InlineData("mamba")]
    [InlineData("no-such-family")]
    public void UnknownArchitectureNamesItAndListsTheSupportedOnes(string architecture)
    {
        string path = TinyModels.Write(Small with { Name = "err-" + architecture, Architecture = architecture });
        var e = Assert.Throws<UnsupportedModelException>(() => Model.Load(path));
        Assert.Contains($"'{architecture}'", e.Message, StringComparison.Ordinal);
        foreach (var name in new[] { "llama", "falcon", "qwen2", "olmo", "olmo2", "gemma2", "phi3" })
            Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRegisteredFamilyHasARowInTheTestMatrix()
    {
        var tested = FamilyDifferentialTests.Families.Values.Select(shapes => shapes[0].Architecture).ToHashSet();
        Assert.Equal(ArchitectureRegistry.Names.Order(StringComparer.Ordinal), tested.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MissingPostNormIsNamed()
    {
        string path = TinyModels.Write((Small with { Name = "err-gemma2-no-post" }).As("gemma2") with { PostNorms = false });
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains("'blk.0.post_attention_norm.weight'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FusedQkvOfTheWrongWidthIsNamed()
    {
        // Written for four key/value heads, declared with two: attn_qkv has more rows than q + 2·kv.
        string path = TinyModels.Write((Small with { Name = "err-falcon-qkv", Heads = 4, KvHeads = 4 }).As("falcon"));
        string bad = Path.Combine(TinyModels.Folder, "err-falcon-qkv-declared-gqa.gguf");
        using (var f = Weft.Formats.Gguf.GgufFile.Open(path))
        {
            var w = new Weft.Formats.Gguf.GgufWriter().CopyMetadata(f);
            w.Set(MetadataKeys.HeadCountKv("falcon"), 2u);
            foreach (var t in f.Tensors) w.AddTensor(t.Name, t.Type, t.Shape, f.TensorBytes(t).ToArray());
            w.Write(bad);
        }
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(bad));
        Assert.Contains("'blk.0.attn_qkv.weight'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpertsOutsideLlamaAreUnsupported()
    {
        string path = TinyModels.Write((Small with { Name = "err-qwen2-moe", Experts = 4, ExpertsUsed = 2 }).As("qwen2"));
        var e = Assert.Throws<UnsupportedModelException>(() => Model.Load(path));
        Assert.Contains("qwen2.expert_count", e.Message, StringComparison.Ordinal);
    }
}
