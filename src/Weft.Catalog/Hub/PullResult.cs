// What a pull produced: the file to run in place, and what is known about it.
namespace Weft.Catalog.Hub;

/// <summary>
/// A pulled model. <see cref="Path"/> is the file `weft run` loads (a Hugging Face snapshot link or an Ollama blob);
/// <see cref="AlreadyPresent"/> is true when nothing was downloaded.
/// </summary>
public sealed record PullResult(PullSpec Spec, string Path, string Commit, long Bytes, bool AlreadyPresent, OllamaModelInfo? Ollama = null);

/// <summary>The text layers of an Ollama model: chat template, default parameters (JSON), licence, system prompt.</summary>
public sealed record OllamaModelInfo(string? Template, string? Params, string? License, string? System);
