// `weft models`, `weft models tree` and `weft show` on the built-in catalog and on local files.
using System.Text.Json;

namespace Weft.Cli.Tests;

public class CatalogVerbTests
{
    [Fact]
    public void ModelsJsonFiltersByTaskAndLicence()
    {
        var r = WeftProcess.Run("models", "--task", "medical", "--license", "commercial", "--json");
        Assert.Equal(0, r.Exit);
        using var doc = JsonDocument.Parse(r.Stdout);
        var models = doc.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.Contains(models, m => m.GetProperty("id").GetString() == "biomistral-7b");
        Assert.All(models, m => Assert.True(m.GetProperty("license").GetProperty("commercial").GetBoolean()));
        Assert.All(models, m => Assert.Contains(m.GetProperty("tasks").EnumerateArray(), t => t.GetString() == "medical"));
    }

    [Fact]
    public void ModelsWithDirListsLocalModelsLinkedToTheCatalog()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "models");
        var r = WeftProcess.Run("models", "--search", "no-catalog-entry-has-this", "--dir", dir, "--json");
        Assert.Equal(0, r.Exit);
        using var doc = JsonDocument.Parse(r.Stdout);
        var local = Assert.Single(doc.RootElement.GetProperty("models").EnumerateArray());
        Assert.True(local.GetProperty("local").GetBoolean());
        Assert.Equal("weft-tiny", local.GetProperty("catalog_id").GetString());
    }

    [Fact]
    public void TreeShowsFinetunesAndQuantizations()
    {
        var r = WeftProcess.Run("models", "tree", "mistral-7b");
        Assert.Equal(0, r.Exit);
        Assert.Contains("biomistral-7b (BioMistral-7B) [finetune]", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("[quantized]", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("mixtral", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ShowPrintsLicenceLineageSizesScoresAndOpenness()
    {
        var r = WeftProcess.Run("show", "Mistral-7B-v0.1", "--json");
        Assert.Equal(0, r.Exit);
        using var doc = JsonDocument.Parse(r.Stdout);
        var e = doc.RootElement.GetProperty("entry");
        Assert.Equal("Apache-2.0", e.GetProperty("license").GetProperty("id").GetString());
        Assert.Contains(e.GetProperty("sizes").EnumerateArray(), s => s.GetProperty("quant").GetString() == "Q4_K_M" && !s.GetProperty("estimated").GetBoolean());
        Assert.Contains(e.GetProperty("scores").EnumerateArray(), s => s.GetProperty("benchmark").GetString() == "MMLU" && s.GetProperty("source").GetString()!.StartsWith("https://", StringComparison.Ordinal));
        Assert.Equal("III Open Model", e.GetProperty("openness").GetProperty("mof_class").GetString());
        Assert.Contains(doc.RootElement.GetProperty("lineage").GetProperty("children").EnumerateArray(), c => c.GetProperty("id").GetString() == "biomistral-7b" || c.GetProperty("id").GetString() == "mistral-7b-instruct-v0.1");
    }

    [Fact]
    public void ShowOfTheBundledFileReadsItsCardAndChecksItsFiles()
    {
        var r = WeftProcess.Run("show", Path.Combine(AppContext.BaseDirectory, "models", "weft-tiny.gguf"));
        Assert.Equal(0, r.Exit);
        Assert.Contains("catalog entry  weft-tiny", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("CC0-1.0", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("openness (as published): 5/5 open", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownModelIsAUserError()
    {
        WeftProcess.AssertUserError(WeftProcess.Run("show", "no-such-model-anywhere"), "no-such-model-anywhere");
        WeftProcess.AssertUserError(WeftProcess.Run("models", "tree", "no-such-model"), "not in the catalog");
        WeftProcess.AssertUserError(WeftProcess.Run("models", "--quant", "Q9_X"), "Q9_X");
    }
}
