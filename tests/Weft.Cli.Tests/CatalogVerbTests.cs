// `weft models`, `weft models tree` and `weft show` on the built-in catalog and on local files.
using System.Text.Json;
using Weft.Models.Synthetic;
using Weft.TestKit;

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
    public void ModelsListsWhatPullsLeftInTheCaches()
    {
        string cache = Directory.CreateTempSubdirectory("weft-cli-cache-").FullName;
        try
        {
            // the Hugging Face cache layout a pull leaves: a blob, a ref, a snapshot link
            string repoDir = Path.Combine(cache, "models--someone--tiny-GGUF");
            string commit = new('a', 40);
            Directory.CreateDirectory(Path.Combine(repoDir, "blobs"));
            Directory.CreateDirectory(Path.Combine(repoDir, "refs"));
            Directory.CreateDirectory(Path.Combine(repoDir, "snapshots", commit));
            File.Copy(TinyModels.Write(new SyntheticModelSpec { Name = "cli-pulled", Embedding = 32, Heads = 2, KvHeads = 1, Layers = 1, FeedForward = 48, Seed = 5 }),
                Path.Combine(repoDir, "blobs", "b1"));
            File.WriteAllText(Path.Combine(repoDir, "refs", "main"), commit);
            string link = Path.Combine(repoDir, "snapshots", commit, "tiny.Q8_0.gguf");
            File.CreateSymbolicLink(link, Path.Combine("..", "..", "blobs", "b1"));

            var env = new Dictionary<string, string?> { ["HF_HUB_CACHE"] = cache };
            var r = WeftProcess.RunWithEnvironment(env, "models", "--search", "no-catalog-entry-has-this", "--json");
            Assert.Equal(0, r.Exit);
            using var doc = JsonDocument.Parse(r.Stdout);
            var m = Assert.Single(doc.RootElement.GetProperty("models").EnumerateArray());
            Assert.True(m.GetProperty("local").GetBoolean());
            Assert.Equal("hf.co/someone/tiny-GGUF/tiny.Q8_0.gguf", m.GetProperty("pulled_id").GetString());
            Assert.Equal("hf://someone/tiny-GGUF/tiny.Q8_0.gguf", m.GetProperty("pull_spec").GetString());
            Assert.Equal(link, m.GetProperty("path").GetString());
            Assert.Equal("cli-pulled", m.GetProperty("card").GetProperty("name").GetString());

            var text = WeftProcess.RunWithEnvironment(env, "models", "--search", "no-catalog-entry-has-this");
            Assert.Contains("hf.co/someone/tiny-GGUF/tiny.Q8_0.gguf", text.Stdout, StringComparison.Ordinal);
            var none = WeftProcess.RunWithEnvironment(env, "models", "--search", "no-catalog-entry-has-this", "--no-pulled", "--json");
            using var empty = JsonDocument.Parse(none.Stdout);
            Assert.Empty(empty.RootElement.GetProperty("models").EnumerateArray());
        }
        finally
        {
            Directory.Delete(cache, true);
        }
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
