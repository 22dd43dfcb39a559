// Where the Hub and the caches are, read from the environment as huggingface_hub and Ollama read it.
namespace Weft.Catalog.Hub;

/// <summary>Endpoints, token and cache folders for pulls; <see cref="FromEnvironment"/> gives the defaults.</summary>
public sealed record HubOptions
{
    /// <summary>Hugging Face endpoint (HF_ENDPOINT, default https://huggingface.co), without a trailing slash.</summary>
    public string HfEndpoint { get; init; } = "https://huggingface.co";

    /// <summary>Bearer token for gated and private repositories (HF_TOKEN), sent only to <see cref="HfEndpoint"/>'s host.</summary>
    public string? HfToken { get; init; }

    /// <summary>Hugging Face hub cache (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub).</summary>
    public string HfCache { get; init; } = "";

    /// <summary>Ollama registry (OLLAMA_REGISTRY, default https://registry.ollama.ai).</summary>
    public string OllamaRegistry { get; init; } = "https://registry.ollama.ai";

    /// <summary>Ollama models folder (OLLAMA_MODELS, else ~/.ollama/models).</summary>
    public string OllamaModels { get; init; } = "";

    /// <summary>Reads the environment variables named on each property.</summary>
    public static HubOptions FromEnvironment() =>
        FromEnvironment(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>The same from a given environment and home folder; empty values count as unset.</summary>
    public static HubOptions FromEnvironment(Func<string, string?> environment, string home)
    {
        string? Env(string name) => environment(name) is { Length: > 0 } v ? v : null;
        string hfCache = Env("HF_HUB_CACHE")
            ?? (Env("HF_HOME") is string hfHome ? Path.Combine(hfHome, "hub") : Path.Combine(home, ".cache", "huggingface", "hub"));
        return new HubOptions
        {
            HfEndpoint = (Env("HF_ENDPOINT") ?? "https://huggingface.co").TrimEnd('/'),
            HfToken = Env("HF_TOKEN"),
            HfCache = hfCache,
            OllamaRegistry = (Env("OLLAMA_REGISTRY") ?? "https://registry.ollama.ai").TrimEnd('/'),
            OllamaModels = Env("OLLAMA_MODELS") ?? Path.Combine(home, ".ollama", "models"),
        };
    }
}
