// The Ollama registry (an OCI distribution registry): manifest, then each layer blob by digest into Ollama's folder.
using System.Text;
using System.Text.Json;
using Weft.Catalog.Store;

namespace Weft.Catalog.Hub;

/// <summary>Pulls ollama://name:tag from a registry (default registry.ollama.ai) into an Ollama models folder.</summary>
public sealed class OllamaClient(HubHttp http, string registry, OllamaStore store)
{
    /// <summary>Accept header for the manifest.</summary>
    public const string ManifestMediaType = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>Layer media types: the GGUF weights and the text layers.</summary>
    public const string ModelLayer = "application/vnd.ollama.image.model", TemplateLayer = "application/vnd.ollama.image.template",
        ParamsLayer = "application/vnd.ollama.image.params", LicenseLayer = "application/vnd.ollama.image.license",
        SystemLayer = "application/vnd.ollama.image.system";

    private readonly string registry = registry.TrimEnd('/');

    /// <summary>The folder blobs and manifests go to.</summary>
    public OllamaStore Store { get; } = store;

    /// <summary>The registry host as Ollama names it in manifests/ (host, with :port when not the default).</summary>
    public string Host
    {
        get
        {
            var u = new Uri(registry);
            return u.IsDefaultPort ? u.Host : $"{u.Host}:{u.Port}";
        }
    }

    /// <summary>Fetches the manifest and every layer (digests verified), writes the manifest last; returns the GGUF blob.</summary>
    public async Task<PullResult> PullAsync(PullSpec spec, Action<DownloadProgress>? progress, CancellationToken ct)
    {
        var manifestUrl = new Uri($"{registry}/v2/{spec.Repo}/manifests/{Uri.EscapeDataString(spec.Revision)}");
        string manifestJson;
        List<(string MediaType, string Digest, long Size)> layers;
        (string MediaType, string Digest, long Size)? config; // the image config blob: Ollama needs it to list the model
        using (var doc = await http.GetJsonAsync(manifestUrl, ManifestMediaType, $"manifest of {spec}", ct).ConfigureAwait(false))
        {
            manifestJson = doc.RootElement.GetRawText();
            layers = ReadLayers(doc.RootElement, manifestUrl);
            config = ReadConfig(doc.RootElement, manifestUrl);
        }
        var model = layers.Where(l => l.MediaType == ModelLayer).ToList();
        if (model.Count != 1)
            throw new HubException($"{manifestUrl}: expected one {ModelLayer} layer, found {model.Count} (layers: {string.Join(", ", layers.Select(l => l.MediaType))})");

        bool fetchedAny = false;
        foreach (var layer in config is { } c ? [.. layers, c] : layers)
        {
            string hex = DigestHex(layer.Digest, manifestUrl);
            var blobUrl = new Uri($"{registry}/v2/{spec.Repo}/blobs/{layer.Digest}");
            string name = layer.MediaType == ModelLayer ? $"{spec} (model)" : $"{spec} ({layer.MediaType[(layer.MediaType.LastIndexOf('.') + 1)..]})";
            fetchedAny |= await BlobDownloader.EnsureAsync(http, blobUrl, Store.BlobPath(layer.Digest), hex, layer.Size, name,
                layer.MediaType == ModelLayer ? progress : null, ct).ConfigureAwait(false);
        }
        string tag = spec.Revision;
        Store.WriteManifest(Host, spec.Repo, tag, manifestJson);

        string? Text(string mediaType) =>
            layers.FirstOrDefault(l => l.MediaType == mediaType) is { Digest: not null } l && File.Exists(Store.BlobPath(l.Digest))
                ? File.ReadAllText(Store.BlobPath(l.Digest), Encoding.UTF8) : null;
        var info = new OllamaModelInfo(Text(TemplateLayer), Text(ParamsLayer), Text(LicenseLayer), Text(SystemLayer));
        string gguf = Store.BlobPath(model[0].Digest);
        return new PullResult(spec, gguf, DigestHex(model[0].Digest, manifestUrl), model[0].Size, AlreadyPresent: !fetchedAny, info);
    }

    private static List<(string, string, long)> ReadLayers(JsonElement root, Uri url)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
            throw new HubException($"{url}: the manifest has no 'layers' array");
        var list = new List<(string, string, long)>();
        foreach (var l in layers.EnumerateArray())
        {
            string? type = l.TryGetProperty("mediaType", out var t) ? t.GetString() : null;
            string? digest = l.TryGetProperty("digest", out var d) ? d.GetString() : null;
            long size = l.TryGetProperty("size", out var s) && s.TryGetInt64(out long v) ? v : -1;
            if (type == null || digest == null || size < 0) throw new HubException($"{url}: a layer lacks mediaType, digest or size");
            list.Add((type, digest, size));
        }
        return list;
    }

    private static (string, string, long)? ReadConfig(JsonElement root, Uri url)
    {
        if (!root.TryGetProperty("config", out var c) || c.ValueKind != JsonValueKind.Object) return null;
        string? type = c.TryGetProperty("mediaType", out var t) ? t.GetString() : null;
        string? digest = c.TryGetProperty("digest", out var d) ? d.GetString() : null;
        long size = c.TryGetProperty("size", out var s) && s.TryGetInt64(out long v) ? v : -1;
        if (type == null || digest == null || size < 0) throw new HubException($"{url}: the manifest's config lacks mediaType, digest or size");
        return (type, digest, size);
    }

    private static string DigestHex(string digest, Uri url)
    {
        if (!digest.StartsWith("sha256:", StringComparison.Ordinal) || digest.Length != 71 || !digest[7..].All(Uri.IsHexDigit))
            throw new HubException($"{url}: layer digest '{digest}' is not sha256:<64 hex digits>");
        return digest[7..].ToLowerInvariant();
    }
}
