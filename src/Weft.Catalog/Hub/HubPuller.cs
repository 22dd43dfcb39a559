// `weft pull` in one call: a spec to a file on disk, from whichever source the spec names.
using Weft.Catalog.Store;

namespace Weft.Catalog.Hub;

/// <summary>Pulls any <see cref="PullSpec"/> with one set of <see cref="HubOptions"/>.</summary>
public sealed class HubPuller(HubOptions options, HttpMessageHandler? handler = null) : IDisposable
{
    private readonly HubHttp hf = new(options.HfEndpoint, options.HfToken, handler);
    private readonly HubHttp ollama = new(options.OllamaRegistry, null, handler);

    /// <summary>Pulls the spec; returns where it lies (already there: nothing fetched).</summary>
    public Task<PullResult> PullAsync(PullSpec spec, Action<DownloadProgress>? progress = null, CancellationToken ct = default) =>
        spec.Source == PullSource.Ollama
            ? new OllamaClient(ollama, options.OllamaRegistry, new OllamaStore(options.OllamaModels)).PullAsync(spec, progress, ct)
            : new HfClient(hf, options.HfEndpoint, new HfCache(options.HfCache)).PullAsync(spec, progress, ct);

    /// <summary>Searches the Hub at <see cref="HubOptions.HfEndpoint"/>.</summary>
    public Task<IReadOnlyList<HubModelSummary>> SearchAsync(string text, int limit, CancellationToken ct = default) =>
        new HubSearch(hf, options.HfEndpoint).SearchAsync(text, limit, ct);

    /// <inheritdoc/>
    public void Dispose()
    {
        hf.Dispose();
        ollama.Dispose();
    }
}
