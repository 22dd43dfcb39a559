// Local models found on disk and linked to catalog entries.
using Weft.Catalog.Catalog;

namespace Weft.Catalog.Tests;

public class LocalModelsTests
{
    [Fact]
    public void ScanFindsGgufFilesAndCheckpointsAndLinksThem()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "a"));
        GgufFiles.Write(Path.Combine(dir.Path, "a", "m.gguf"), w => w.Set("general.name", "Mistral-7B-v0.1"));
        GgufFiles.Write(Path.Combine(dir.Path, "r.gguf"), w => w.Set("general.name", "whatever").Set("general.repo_url", "https://huggingface.co/BioMistral/BioMistral-7B"));
        GgufFiles.Write(Path.Combine(dir.Path, "u.gguf"), w => w.Set("general.name", "nothing known"));
        dir.File("partial.gguf", "GGUF but cut");
        dir.File("ck/config.json", """{"model_type": "olmo"}""");
        dir.File("ck/model.safetensors", "x");
        var found = LocalModels.Scan(dir.Path);
        Assert.Equal(4, found.Count);
        Assert.Equal("mistral-7b", found.Single(m => m.Path.EndsWith("m.gguf", StringComparison.Ordinal)).Entry?.Id);
        Assert.Equal("biomistral-7b", found.Single(m => m.Path.EndsWith("r.gguf", StringComparison.Ordinal)).Entry?.Id);
        Assert.Null(found.Single(m => m.Path.EndsWith("u.gguf", StringComparison.Ordinal)).Entry);
        Assert.Equal("checkpoint", found.Single(m => m.Path.EndsWith("ck", StringComparison.Ordinal)).Card.Kind);
    }

    [Fact]
    public void MissingFolderIsAnError()
    {
        Assert.Throws<CatalogException>(() => LocalModels.Scan(Path.Combine(Path.GetTempPath(), "no-such-weft-folder-" + Guid.NewGuid())));
    }
}
