// The built-in catalog loads and names every model the lesson uses; bad catalog files fail naming the entry.
using Weft.Catalog.Catalog;

namespace Weft.Catalog.Tests;

public class CatalogLoadTests
{
    [Theory]
    [InlineData("llama-2-7b"), InlineData("llama-2-13b"), InlineData("llama-2-70b"), InlineData("llama-2-7b-chat"), InlineData("llama-2-13b-chat"),
     InlineData("llama-2-70b-chat"), InlineData("ELYZA-japanese-Llama-2-7b"), InlineData("LLaMA-Pro-8B"), InlineData("Mistral-7B-v0.1"),
     InlineData("Mistral-7B-Instruct-v0.1"), InlineData("Mixtral-8x7B-v0.1"), InlineData("Mixtral-8x7B-Instruct-v0.1"), InlineData("BioMistral-7B"),
     InlineData("OpenMath-Mistral-7B-v0.1-hf"), InlineData("falcon-7b"), InlineData("falcon-40b"), InlineData("falcon-7b-instruct"),
     InlineData("falcon-40b-instruct"), InlineData("falcon-40b-sft-top1-560"), InlineData("gpt4all-falcon"), InlineData("OLMo-7B"),
     InlineData("OLMo-2-1124-7B"), InlineData("Qwen2-7B"), InlineData("Qwen2.5-7B"), InlineData("Phi-3-mini-4k-instruct"), InlineData("gemma-2-9b"),
     InlineData("weft-tiny")]
    public void BuiltInCatalogHasTheModel(string idOrName) => Assert.NotNull(ModelCatalog.BuiltIn.Find(idOrName));

    [Fact]
    public void EveryBuiltInEntryHasSourcedFactsAndAResolvableBase()
    {
        var c = ModelCatalog.BuiltIn;
        Assert.True(c.Entries.Count >= 27);
        foreach (var e in c.Entries)
        {
            Assert.False(string.IsNullOrEmpty(e.Source), e.Id);
            Assert.False(string.IsNullOrEmpty(e.License.Source), e.Id);
            if (e.Base != null) Assert.NotNull(c.Find(e.Base));
            Assert.All(e.Scores, s => Assert.False(string.IsNullOrEmpty(s.Source)));
        }
    }

    private const string Good = """
        models:
          - id: base-a
            name: Base A
            family: f
            architecture: llama
            parameters: 1000
            context: 128
            layers: 2
            kv_heads: 2
            head_dim: 4
            license: {id: MIT, commercial: true, source: "https://example.org/a"}
            tasks: [text-generation]
            source: "https://example.org/a"
          - id: child-b
            name: Child B
            family: f
            architecture: llama
            parameters: 1000
            context: 128
            layers: 2
            kv_heads: 2
            head_dim: 4
            license: {id: MIT, commercial: true, source: "https://example.org/b"}
            base: base-a
            relation: finetune
            tasks: [chat]
            source: "https://example.org/b"
        """;

    [Fact]
    public void AValidFileLoads()
    {
        var c = ModelCatalog.Parse(Good, "test.yaml");
        Assert.Equal(["base-a", "child-b"], c.Entries.Select(e => e.Id));
        Assert.Equal("child-b", Assert.Single(c.ChildrenOf("base-a")).Id);
    }

    [Fact]
    public void UnknownFieldNamesTheEntryAndLine()
    {
        string bad = Good.Replace("    tasks: [chat]", "    tasks: [chat]\n    colour: blue", StringComparison.Ordinal);
        var e = Assert.Throws<CatalogException>(() => ModelCatalog.Parse(bad, "test.yaml"));
        Assert.Contains("test.yaml:27", e.Message, StringComparison.Ordinal);
        Assert.Contains("child-b", e.Message, StringComparison.Ordinal);
        Assert.Contains("colour", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("base: base-a", "base: missing-model", "base 'missing-model' is not in the catalog")]
    [InlineData("relation: finetune", "relation: cousin", "relation must be one of")]
    [InlineData("id: base-a", "id: child-b", "appears twice")]
    [InlineData("parameters: 1000\n    context: 128\n    layers: 2\n    kv_heads: 2\n    head_dim: 4\n    license: {id: MIT, commercial: true, source: \"https://example.org/b\"}",
        "parameters: 0\n    context: 128\n    layers: 2\n    kv_heads: 2\n    head_dim: 4\n    license: {id: MIT, commercial: true, source: \"https://example.org/b\"}", "parameters must be positive")]
    public void InvalidEntriesAreNamed(string from, string to, string message)
    {
        string bad = ReplaceLast(Good, from, to);
        var e = Assert.Throws<CatalogException>(() => ModelCatalog.Parse(bad, "test.yaml"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains("entry '", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeclaredEvidenceNeedsASource()
    {
        string bad = Good.Replace("    tasks: [chat]", "    tasks: [chat]\n    openness:\n      weights: {status: declared}", StringComparison.Ordinal);
        var e = Assert.Throws<CatalogException>(() => ModelCatalog.Parse(bad, "test.yaml"));
        Assert.Contains("entry 'child-b': openness.weights is 'declared' without a source", e.Message, StringComparison.Ordinal);
    }

    private static string ReplaceLast(string s, string from, string to)
    {
        int i = s.LastIndexOf(from, StringComparison.Ordinal);
        Assert.True(i >= 0, from);
        return s[..i] + to + s[(i + from.Length)..];
    }
}
