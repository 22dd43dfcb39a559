// What the user named as a model: a local GGUF file or checkpoint folder (optionally with LoRA adapters), or a remote
// OpenAI-compatible endpoint `openai:URL#model` (with its own key and price when it came from an endpoints file).
using Weft.Models.Adapters;

namespace Weft.Evaluation.Running;

public sealed record ModelSpec(string Source, IReadOnlyList<LoraSpec> Adapters)
{
    public const string RemotePrefix = "openai:";

    /// <summary>A remote model's own key (an endpoints file's api_key_env); empty: none; null: the run's key.</summary>
    public string? ApiKey { get; init; }
    /// <summary>A remote model's declared price in USD per million input and output tokens; null: the run's.</summary>
    public (double Input, double Output)? Price { get; init; }

    public bool IsRemote => Source.StartsWith(RemotePrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The name the tables show: the file's stem (plus `+adapter[@scale]` each), or the remote model id.</summary>
    public string Name => IsRemote ? Remote().Model : Models.LocalEvalModel.DefaultName(Source, Adapters);

    /// <summary>`openai:URL#model` → (base URL ending before /completions, model id).</summary>
    public (Uri BaseUrl, string Model) Remote()
    {
        string rest = Source[RemotePrefix.Length..];
        int hash = rest.LastIndexOf('#');
        if (hash <= 0 || hash == rest.Length - 1)
            throw new ArgumentException($"'{Source}': a remote model is written openai:URL#model, e.g. openai:http://localhost:8080/v1#mistral-7b");
        if (!Uri.TryCreate(rest[..hash], UriKind.Absolute, out var url) || (url.Scheme != "http" && url.Scheme != "https"))
            throw new ArgumentException($"'{Source}': '{rest[..hash]}' is not an http(s) URL");
        return (url, rest[(hash + 1)..]);
    }
}
