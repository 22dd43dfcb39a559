using Weft.Catalog.Hub;

namespace Weft.Catalog.Tests.Hub;

public class HubOptionsTests
{
    private static HubOptions From(params (string Name, string Value)[] vars) =>
        HubOptions.FromEnvironment(n => vars.FirstOrDefault(v => v.Name == n).Value, "/home/u");

    [Fact]
    public void DefaultsMatchHuggingFaceHubAndOllama()
    {
        var o = From();
        Assert.Equal("https://huggingface.co", o.HfEndpoint);
        Assert.Null(o.HfToken);
        Assert.Equal(Path.Combine("/home/u", ".cache", "huggingface", "hub"), o.HfCache);
        Assert.Equal("https://registry.ollama.ai", o.OllamaRegistry);
        Assert.Equal(Path.Combine("/home/u", ".ollama", "models"), o.OllamaModels);
    }

    [Fact]
    public void HfHubCacheWinsOverHfHome()
    {
        Assert.Equal(Path.Combine("/data/hf", "hub"), From(("HF_HOME", "/data/hf")).HfCache);
        Assert.Equal("/c", From(("HF_HOME", "/data/hf"), ("HF_HUB_CACHE", "/c")).HfCache);
    }

    [Fact]
    public void EndpointTokenAndOllamaVariablesAreRead()
    {
        var o = From(("HF_ENDPOINT", "https://hf-mirror.com/"), ("HF_TOKEN", "t"), ("OLLAMA_REGISTRY", "http://r:5000/"), ("OLLAMA_MODELS", "/m"), ("HF_HOME", ""));
        Assert.Equal(("https://hf-mirror.com", "t", "http://r:5000", "/m"), (o.HfEndpoint, o.HfToken, o.OllamaRegistry, o.OllamaModels));
        Assert.Equal(Path.Combine("/home/u", ".cache", "huggingface", "hub"), o.HfCache); // empty HF_HOME is unset
    }
}
