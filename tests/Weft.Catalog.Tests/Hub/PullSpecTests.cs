using Weft.Catalog.Hub;

namespace Weft.Catalog.Tests.Hub;

public class PullSpecTests
{
    [Fact]
    public void HfFileForm()
    {
        var s = PullSpec.Parse("hf://BioMistral/BioMistral-7B-GGUF/BioMistral-7B.Q4_K_M.gguf");
        Assert.Equal((PullSource.HuggingFace, "BioMistral/BioMistral-7B-GGUF", "main", "BioMistral-7B.Q4_K_M.gguf", (string?)null),
            (s.Source, s.Repo, s.Revision, s.File, s.Quant));
    }

    [Fact]
    public void HfRevisionAndSubfolder()
    {
        var s = PullSpec.Parse("hf://owner/repo@v1.0/sub/dir/f.gguf");
        Assert.Equal(("owner/repo", "v1.0", "sub/dir/f.gguf"), (s.Repo, s.Revision, s.File));
        Assert.Equal("dev", PullSpec.Parse("hf://owner/repo@v1.0/f.gguf", "dev").Revision);
    }

    [Fact]
    public void RepoQuantForm()
    {
        var s = PullSpec.Parse("TheBloke/Mistral-7B-v0.1-GGUF:Q4_K_M");
        Assert.Equal((PullSource.HuggingFace, "TheBloke/Mistral-7B-v0.1-GGUF", "Q4_K_M", (string?)null), (s.Source, s.Repo, s.Quant, s.File));
    }

    [Theory]
    [InlineData("ollama://llama2:7b", "library/llama2", "7b")]
    [InlineData("ollama://llama2", "library/llama2", "latest")]
    [InlineData("ollama://someone/model:q4", "someone/model", "q4")]
    public void OllamaForms(string text, string repo, string tag)
    {
        var s = PullSpec.Parse(text);
        Assert.Equal((PullSource.Ollama, repo, tag), (s.Source, s.Repo, s.Revision));
    }

    [Theory]
    [InlineData("hf://owner")]
    [InlineData("hf://owner/repo")]
    [InlineData("hf://owner/repo/../x.gguf")]
    [InlineData("s3://bucket/file")]
    [InlineData("owner/repo")]
    [InlineData("ollama://a/b/c:1")]
    public void UnknownFormsNameTheSpecAndTheValidForms(string text)
    {
        var e = Assert.Throws<HubException>(() => PullSpec.Parse(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("OWNER/REPO:QUANT", e.Message, StringComparison.Ordinal);
        Assert.Contains("ollama://NAME:TAG", e.Message, StringComparison.Ordinal);
    }
}
