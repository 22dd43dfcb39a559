// The models a server offers: every GGUF file under the models folder, named by its path without the extension.
using Weft.Formats.Gguf;

namespace Weft.Server.Hosting;

public sealed record ModelEntry(string Id, string Path, long Bytes, DateTime Modified, ModelFacts? Facts, string? Problem);

/// <summary>What /v1/models shows about a file, read from its header only.</summary>
public sealed record ModelFacts(string Architecture, string? Name, string? FileType, long Parameters, int ContextLength);

public sealed class ModelCatalog(string directory)
{
    private readonly Dictionary<string, ModelEntry> _cache = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string Directory { get; } = System.IO.Path.GetFullPath(directory);

    /// <summary>The current list; files are re-read only when their size or time changes.</summary>
    public IReadOnlyList<ModelEntry> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var found = new List<ModelEntry>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3, IgnoreInaccessible = true };
        lock (_lock)
        {
            foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*.gguf", options))
            {
                var info = new FileInfo(path);
                string id = System.IO.Path.GetRelativePath(Directory, path)[..^".gguf".Length].Replace('\\', '/');
                if (!_cache.TryGetValue(id, out var entry) || entry.Bytes != info.Length || entry.Modified != info.LastWriteTimeUtc)
                    _cache[id] = entry = Describe(id, info);
                found.Add(entry);
            }
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return found;
    }

    /// <summary>The entry for a request's model id; ids are looked up, never turned into paths.</summary>
    public ModelEntry? Find(string id)
    {
        // a known, unchanged file needs one stat, not a walk of the whole folder
        lock (_lock)
        {
            if (_cache.TryGetValue(id, out var known))
            {
                var info = new FileInfo(known.Path);
                if (info.Exists && info.Length == known.Bytes && info.LastWriteTimeUtc == known.Modified) return known;
            }
        }
        return List().FirstOrDefault(e => e.Id == id);
    }

    private static ModelEntry Describe(string id, FileInfo info)
    {
        try
        {
            using var file = GgufFile.Open(info.FullName);
            string arch = file.TryGet("general.architecture", out var a) ? a.AsString("general.architecture") : "unknown";
            long parameters = 0;
            foreach (var t in file.Tensors) parameters += t.ElementCount;
            int ctx = file.TryGet($"{arch}.context_length", out var c) ? (int)Math.Clamp(c.AsInt64($"{arch}.context_length"), 0, int.MaxValue) : 0;
            string? fileType = file.TryGet("general.file_type", out var ft) ? FileTypeName(ft.AsInt64("general.file_type")) : null;
            string? name = file.TryGet("general.name", out var n) ? n.AsString("general.name") : null;
            return new ModelEntry(id, info.FullName, info.Length, info.LastWriteTimeUtc, new ModelFacts(arch, name, fileType, parameters, ctx), null);
        }
        catch (Exception e) when (e is Weft.Formats.ModelFormatException or IOException or UnauthorizedAccessException)
        {
            return new ModelEntry(id, info.FullName, info.Length, info.LastWriteTimeUtc, null, e.Message);
        }
    }

    private static string FileTypeName(long id) =>
        Weft.Models.Quantization.FileType.All.FirstOrDefault(f => f.Id == id)?.Name ?? id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
