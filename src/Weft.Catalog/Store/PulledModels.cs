// Models already pulled, by Weft or by other tools sharing the caches: GGUF files in the Hugging Face hub cache
// (models--OWNER--REPO/snapshots/COMMIT/PATH) and the GGUF layers of Ollama manifests. Each keeps its place on disk.
using System.Text.Json;
using Weft.Catalog.Hub;

namespace Weft.Catalog.Store;

/// <summary>
/// A pulled model file. <see cref="Id"/> is "hf.co/OWNER/REPO/PATH.gguf" or "ollama/NAME:TAG" ("ollama/NS/NAME:TAG"
/// outside the library namespace, "ollama/HOST/NS/NAME:TAG" from another registry); <see cref="PullSpec"/> pulls it again.
/// </summary>
public sealed record PulledModel(string Id, string Path, string PullSpec, long Bytes, DateTime Modified);

public static class PulledModels
{
    private const string OllamaHost = "registry.ollama.ai";

    /// <summary>Both caches of <paramref name="options"/>, Hugging Face first, each sorted by id; missing caches list nothing.</summary>
    public static IReadOnlyList<PulledModel> List(HubOptions options) => [.. HuggingFace(options.HfCache), .. Ollama(options.OllamaModels)];

    /// <summary>GGUF files of every snapshot; when several commits hold one path, the one a ref names (else the newest) wins.
    /// Dangling links (a blob still downloading or deleted) and the later shards of a split model are left out.</summary>
    public static IReadOnlyList<PulledModel> HuggingFace(string cacheRoot)
    {
        var found = new Dictionary<string, (PulledModel Model, bool Referenced)>(StringComparer.Ordinal);
        if (!Directory.Exists(cacheRoot)) return [];
        foreach (var repoDir in Safe(() => Directory.EnumerateDirectories(cacheRoot, "models--*")))
        {
            string[] parts = System.IO.Path.GetFileName(repoDir)["models--".Length..].Split("--");
            if (parts.Length != 2 || parts.Any(p => p.Length == 0)) continue;
            string repo = parts[0] + "/" + parts[1];
            var referenced = RefCommits(repoDir);
            string snapshots = System.IO.Path.Combine(repoDir, "snapshots");
            foreach (var commitDir in Safe(() => Directory.EnumerateDirectories(snapshots)))
            {
                bool isReferenced = referenced.Contains(System.IO.Path.GetFileName(commitDir));
                var files = Safe(() => Directory.EnumerateFiles(commitDir, "*.gguf",
                    new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4, IgnoreInaccessible = true }));
                foreach (var file in files)
                {
                    string rel = System.IO.Path.GetRelativePath(commitDir, file).Replace('\\', '/');
                    if (IsLaterShard(rel) || Stamp(file) is not { } stamp) continue;
                    var model = new PulledModel($"hf.co/{repo}/{rel}", file, $"hf://{repo}/{rel}", stamp.Bytes, stamp.Modified);
                    if (found.TryGetValue(model.Id, out var old)
                        && (old.Referenced && !isReferenced || old.Referenced == isReferenced && old.Model.Modified >= stamp.Modified)) continue;
                    found[model.Id] = (model, isReferenced);
                }
            }
        }
        return [.. found.Values.Select(v => v.Model).OrderBy(m => m.Id, StringComparer.Ordinal)];
    }

    /// <summary>Every manifest under manifests/HOST/NS/NAME/TAG whose model layer's blob is whole on disk.</summary>
    public static IReadOnlyList<PulledModel> Ollama(string modelsRoot)
    {
        string manifests = System.IO.Path.Combine(modelsRoot, "manifests");
        if (!Directory.Exists(manifests)) return [];
        var store = new OllamaStore(modelsRoot);
        var list = new List<PulledModel>();
        var files = Safe(() => Directory.EnumerateFiles(manifests, "*",
            new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4, IgnoreInaccessible = true }));
        foreach (var manifest in files)
        {
            string[] p = System.IO.Path.GetRelativePath(manifests, manifest).Split(System.IO.Path.DirectorySeparatorChar);
            if (p.Length != 4 || p[3].Contains(".tmp", StringComparison.Ordinal)) continue;
            var (host, ns, name, tag) = (p[0], p[1], p[2], p[3]);
            if (ModelDigest(manifest) is not { } layer) continue;
            string blob = store.BlobPath(layer.Digest);
            if (Stamp(blob) is not { } stamp || stamp.Bytes != layer.Size) continue;
            string shortName = host == OllamaHost ? (ns == "library" ? name : $"{ns}/{name}") : $"{host}/{ns}/{name}";
            string spec = host == OllamaHost ? $"ollama://{(ns == "library" ? name : ns + "/" + name)}:{tag}" : $"ollama://{ns}/{name}:{tag}";
            list.Add(new PulledModel($"ollama/{shortName}:{tag}", blob, spec, stamp.Bytes, stamp.Modified));
        }
        return [.. list.OrderBy(m => m.Id, StringComparer.Ordinal)];
    }

    /// <summary>The model layer's digest and size, or null when the manifest is unreadable or has none.</summary>
    private static (string Digest, long Size)? ModelDigest(string manifest)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(manifest));
            if (!doc.RootElement.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array) return null;
            foreach (var l in layers.EnumerateArray())
                if (l.ValueKind == JsonValueKind.Object && l.TryGetProperty("mediaType", out var t) && t.ValueKind == JsonValueKind.String
                    && t.GetString() == OllamaClient.ModelLayer && l.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.String
                    && l.TryGetProperty("size", out var s) && s.TryGetInt64(out long size) && d.GetString() is { } digest
                    && digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 71 && digest[7..].All(Uri.IsHexDigit))
                    return (digest, size);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    private static HashSet<string> RefCommits(string repoDir)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        string refs = System.IO.Path.Combine(repoDir, "refs");
        foreach (var r in Safe(() => Directory.EnumerateFiles(refs, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })))
            try { set.Add(File.ReadAllText(r).Trim()); } catch (IOException) { }
        return set;
    }

    /// <summary>"name-00002-of-00003.gguf" and later: loaded through the first shard.</summary>
    private static bool IsLaterShard(string path)
    {
        var m = System.Text.RegularExpressions.Regex.Match(path, @"-(\d{5})-of-(\d{5})\.gguf$");
        return m.Success && m.Groups[1].Value != "00001";
    }

    /// <summary>Size and time of the file a path (or link) leads to; null when it does not lead to one.</summary>
    private static (long Bytes, DateTime Modified)? Stamp(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget != null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) info = target;
            return info.Exists ? (info.Length, info.LastWriteTimeUtc) : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static IEnumerable<string> Safe(Func<IEnumerable<string>> list)
    {
        try
        {
            return list().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
