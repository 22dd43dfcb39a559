// Ollama's own models folder: blobs/sha256-HEX and manifests/HOST/NAMESPACE/NAME/TAG, so `ollama` sees what we pulled.
namespace Weft.Catalog.Store;

/// <summary>Paths in one Ollama models folder (OLLAMA_MODELS).</summary>
public sealed class OllamaStore(string root)
{
    /// <summary>The models folder.</summary>
    public string Root { get; } = root;

    /// <summary>blobs/sha256-&lt;hex&gt; for a digest "sha256:&lt;hex&gt;".</summary>
    public string BlobPath(string digest) => Path.Combine(Root, "blobs", digest.Replace(':', '-'));

    /// <summary>manifests/&lt;host&gt;/&lt;namespace&gt;/&lt;name&gt;/&lt;tag&gt;.</summary>
    public string ManifestPath(string host, string repo, string tag) =>
        Path.Combine(Root, "manifests", host, repo.Replace('/', Path.DirectorySeparatorChar), tag);

    /// <summary>Writes the manifest under a temp name, then renames it.</summary>
    public void WriteManifest(string host, string repo, string tag, string json)
    {
        string path = ManifestPath(host, repo, tag);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + ".tmp" + Environment.ProcessId;
        File.WriteAllText(temp, json);
        File.Move(temp, path, overwrite: true);
    }
}
