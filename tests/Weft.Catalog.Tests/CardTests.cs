// Cards read from GGUF general.* keys, adapters, and checkpoint folders' front matter and config.json.
using Weft.Catalog.Cards;
using Weft.Formats.Gguf;

namespace Weft.Catalog.Tests;

public class CardTests
{
    [Fact]
    public void GgufCardCarriesEveryGeneralKey()
    {
        using var dir = new TempDir();
        string path = GgufFiles.Write(Path.Combine(dir.Path, "m.gguf"), w => w
            .Set("general.name", "Bio Model 7B").Set("general.author", "A. Author").Set("general.organization", "BioOrg")
            .Set("general.basename", "bio-model").Set("general.finetune", "instruct").Set("general.version", "v0.2")
            .Set("general.size_label", "7B").Set("general.description", "a test model").Set("general.license", "apache-2.0")
            .Set("general.license.name", "Apache License 2.0").Set("general.license.link", "https://www.apache.org/licenses/LICENSE-2.0")
            .Set("general.url", "https://example.org/bio").Set("general.repo_url", "https://huggingface.co/BioOrg/bio-model")
            .Set("general.base_model.count", 2u)
            .Set("general.base_model.0.name", "Mistral 7B Instruct").Set("general.base_model.0.organization", "Mistralai")
            .Set("general.base_model.0.repo_url", "https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.1")
            .Set("general.base_model.1.name", "Other").Set("general.dataset.count", 1u).Set("general.dataset.0.name", "pmc")
            .Set("general.tags", GgufValue.Of(["medical", "text-generation"])).Set("general.languages", GgufValue.Of(["en", "fr"]))
            .Set("general.file_type", 15u).Set("llama.context_length", 2048u));
        var c = ModelCard.Read(path);
        Assert.Equal("gguf", c.Kind);
        Assert.Equal(("Bio Model 7B", "A. Author", "BioOrg", "bio-model", "instruct", "v0.2", "7B"), (c.Name, c.Author, c.Organization, c.Basename, c.Finetune, c.Version, c.SizeLabel));
        Assert.Equal("a test model", c.Description);
        Assert.Equal(new LicenseInfo("apache-2.0", "Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0"), c.License);
        Assert.Equal("https://example.org/bio", c.Url);
        Assert.Equal("https://huggingface.co/BioOrg/bio-model", c.RepoUrl);
        Assert.Equal([new BaseModelRef("Mistral 7B Instruct", "Mistralai", "https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.1"), new BaseModelRef("Other")], c.BaseModels);
        Assert.Equal(["pmc"], c.Datasets);
        Assert.Equal(["medical", "text-generation"], c.Tags);
        Assert.Equal(["en", "fr"], c.Languages);
        Assert.Equal("llama", c.Architecture);
        Assert.Equal(2048, c.Context);
        Assert.Equal(8 * 4 * 2 + 8, c.Parameters);
        Assert.Equal(new FileInfo(path).Length, c.FileBytes);
        Assert.Equal("Q4_K_M", c.WeightType);
    }

    [Fact]
    public void WeightTypeFallsBackToTheTensorsAndMissingKeysStayNull()
    {
        using var dir = new TempDir();
        var c = ModelCard.Read(GgufFiles.Write(Path.Combine(dir.Path, "bare.gguf"), _ => { }));
        Assert.Equal("F16", c.WeightType);
        Assert.Null(c.Name);
        Assert.Null(c.License);
        Assert.Empty(c.BaseModels);
        Assert.Null(c.Context);
    }

    [Fact]
    public void AdapterCardCarriesAlphaAndRelation()
    {
        using var dir = new TempDir();
        var c = ModelCard.Read(GgufFiles.Write(Path.Combine(dir.Path, "lora.gguf"), w => w
            .Set("general.type", "adapter").Set("adapter.type", "lora").Set("adapter.lora.alpha", 16f).Set("general.name", "my-lora")));
        Assert.Equal("adapter", c.Kind);
        Assert.Equal("adapter", c.BaseModelRelation);
        Assert.Equal(16.0, c.LoraAlpha);
        Assert.Equal("my-lora", c.Name);
    }

    [Fact]
    public void FolderCardReadsFrontMatterAndConfig()
    {
        using var dir = new TempDir();
        dir.File("README.md", """
            ---
            license: apache-2.0
            base_model: mistralai/Mistral-7B-Instruct-v0.1
            base_model_relation: finetune
            datasets:
              - pmc/open_access
            language: [en, fr]
            tags: [medical, biology]
            pipeline_tag: text-generation
            ---
            # A model
            """);
        dir.File("config.json", """{"model_type": "mistral", "max_position_embeddings": 32768}""");
        dir.File("model.safetensors", "0123456789");
        var c = ModelCard.Read(dir.Path);
        Assert.Equal("checkpoint", c.Kind);
        Assert.Equal("apache-2.0", c.License!.Id);
        Assert.Equal([new BaseModelRef("mistralai/Mistral-7B-Instruct-v0.1", "mistralai", "https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.1")], c.BaseModels);
        Assert.Equal("finetune", c.BaseModelRelation);
        Assert.Equal(["pmc/open_access"], c.Datasets);
        Assert.Equal(["en", "fr"], c.Languages);
        Assert.Equal(["medical", "biology"], c.Tags);
        Assert.Equal("text-generation", c.Task);
        Assert.Equal("mistral", c.Architecture);
        Assert.Equal(32768, c.Context);
        Assert.Equal(10, c.FileBytes);
    }

    [Fact]
    public void MalformedFrontMatterNamesFileAndLine()
    {
        using var dir = new TempDir();
        string readme = dir.File("README.md", "---\nlicense: mit\ntags: [a, b\nlanguage: en\n---\n");
        var e = Assert.Throws<CatalogException>(() => ModelCard.Read(dir.Path));
        Assert.Contains(readme, e.Message, StringComparison.Ordinal);
        Assert.Matches(@"README\.md:[34]:", e.Message);
    }

    [Fact]
    public void UnclosedFrontMatterAndMissingPathAreErrors()
    {
        using var dir = new TempDir();
        dir.File("README.md", "---\nlicense: mit\n");
        Assert.Contains("never closed", Assert.Throws<CatalogException>(() => ModelCard.Read(dir.Path)).Message, StringComparison.Ordinal);
        Assert.Contains("no such file", Assert.Throws<CatalogException>(() => ModelCard.Read(Path.Combine(dir.Path, "nope.gguf"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAGgufFileIsACatalogError()
    {
        using var dir = new TempDir();
        string p = dir.File("x.gguf", "this is not gguf");
        Assert.Contains(p, Assert.Throws<CatalogException>(() => ModelCard.Read(p)).Message, StringComparison.Ordinal);
    }
}
