// Filters and lineage trees on the built-in catalog.
using Weft.Catalog.Catalog;
using Weft.Catalog.Openness;

namespace Weft.Catalog.Tests;

public class FilterAndLineageTests
{
    private static readonly ModelCatalog C = ModelCatalog.BuiltIn;

    private static List<string> Ids(CatalogFilter f) => [.. f.Apply(C.Entries).Select(e => e.Id)];

    [Fact]
    public void MedicalAndCommercialFindsBioMistral()
    {
        var ids = Ids(new CatalogFilter { Task = "medical", License = "commercial" });
        Assert.Contains("biomistral-7b", ids);
        Assert.All(ids, id => Assert.True(C.Find(id)!.License.Commercial && C.Find(id)!.Tasks.Contains("medical")));
    }

    [Fact]
    public void LicenceIdFamilyLanguageAndSearch()
    {
        var llama2 = Ids(new CatalogFilter { License = "llama2" });
        Assert.Contains("elyza-japanese-llama-2-7b", llama2);
        Assert.DoesNotContain("mistral-7b", llama2);
        Assert.Equal(C.Entries.Count(e => e.Family == "falcon"), Ids(new CatalogFilter { Family = "falcon" }).Count);
        Assert.Contains("oasst-falcon-40b-sft-top1-560", Ids(new CatalogFilter { Family = "FALCON" }));
        Assert.Equal(["elyza-japanese-llama-2-7b"], Ids(new CatalogFilter { Language = "ja" }));
        Assert.Equal(["biomistral-7b"], Ids(new CatalogFilter { Search = "pubmed" }));
    }

    [Fact]
    public void SizeRangeKeepsOnlyModelsInside()
    {
        var f = new CatalogFilter { MinParameters = 6_000_000_000, MaxParameters = 8_000_000_000 };
        var ids = Ids(f);
        Assert.Contains("mistral-7b", ids);
        Assert.DoesNotContain("llama-2-13b", ids);
        Assert.DoesNotContain("weft-tiny", ids);
    }

    [Fact]
    public void FitsRamComparesFilePlusKvCache()
    {
        long ram = 6_000_000_000;
        var kept = new CatalogFilter { RamBytes = ram, Quant = "Q4_K_M" }.Apply(C.Entries).ToHashSet();
        Assert.Contains(C.Find("mistral-7b")!, kept);
        Assert.DoesNotContain(C.Find("llama-2-13b")!, kept);
        foreach (var e in C.Entries)
            Assert.Equal(QuantSizes.RunBytes(e, "Q4_K_M") <= ram, kept.Contains(e));
        // Mistral: the listed 4.37 GB file plus 32 layers x 8 KV heads x 128 x 2 (K,V) x 2 bytes x 4096 tokens.
        Assert.Equal((long)(4.37e9) + 32L * 8 * 128 * 2 * 2 * 4096, QuantSizes.RunBytes(C.Find("mistral-7b")!, "Q4_K_M"));
        Assert.True(QuantSizes.Of(C.Find("biomistral-7b")!, "Q4_K_M")!.Estimated);
    }

    [Fact]
    public void OpennessFilterCountsDeclaredComponents()
    {
        var ids = Ids(new CatalogFilter { MinOpen = 5 });
        Assert.Contains("olmo-7b", ids);
        Assert.Contains("weft-tiny", ids);
        Assert.DoesNotContain("llama-2-7b", ids);
        Assert.All(ids, id => Assert.Equal(5, Scorecard.FromCatalog(C.Find(id)!).OpenCount));
    }

    [Fact]
    public void MistralTreeHoldsItsFinetunesAndQuantizations()
    {
        var tree = Lineage.Tree(C, C.Find("mistral-7b")!);
        var below = tree.Descendants().ToList();
        Assert.Contains(below, n => n.Id == "mistral-7b-instruct-v0.1" && n.Relation == "finetune");
        Assert.Contains(below, n => n.Id == "biomistral-7b");
        Assert.Contains(below, n => n.Id == "openmath-mistral-7b");
        Assert.Contains(below, n => n.Relation == "quantized" && n.Id.EndsWith("mistral-7b-v0.1.Q4_K_M.gguf", StringComparison.Ordinal));
        Assert.DoesNotContain(below, n => n.Id.StartsWith("mixtral", StringComparison.Ordinal));
        Assert.DoesNotContain(below, n => n.Id == "mistral-7b");
    }

    [Fact]
    public void AncestryWalksUpToTheRoot()
    {
        var e = C.Find("BioMistral-7B")!;
        Assert.Equal(["mistral-7b", "mistral-7b-instruct-v0.1", "biomistral-7b"], Lineage.Ancestry(C, e).Select(a => a.Id));
        Assert.Equal("mistral-7b", Lineage.Root(C, e).Id);
        var llama = Lineage.Tree(C, C.Find("llama-2-7b")!).Children.Select(n => n.Id).ToList();
        Assert.Contains("elyza-japanese-llama-2-7b", llama);
        Assert.Contains("llama-pro-8b", llama);
        Assert.Contains("llama-2-7b-chat", llama);
        var falcon = Lineage.Tree(C, C.Find("falcon-40b")!).Children.Select(n => n.Id).ToList();
        Assert.Contains("oasst-falcon-40b-sft-top1-560", falcon);
        Assert.Contains("gpt4all-falcon", Lineage.Tree(C, C.Find("falcon-7b")!).Children.Select(n => n.Id));
    }
}
