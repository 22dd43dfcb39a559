// The models a server offers: every GGUF file under the models folder, named by its path without the extension, and
// every Hugging Face checkpoint folder directly inside it (config.json and *.safetensors), named by the folder; then the
// models in the pull caches (when the server has them), named as PulledModels names them and run in place. Each entry
// carries the model's card, linked to the built-in catalog's entry it matches.
using System.Text.Json;
using Weft.Catalog;
using Weft.Catalog.Cards;
using Weft.Catalog.Catalog;
using Weft.Catalog.Store;
using Weft.Formats.Safetensors;
using BuiltInCatalog = Weft.Catalog.Catalog.ModelCatalog;
using Weft.Models;
using Weft.Models.Loading;

using Weft.Models.Adapters;

namespace Weft.Server.Hosting;

public enum ModelFormat
{
    Gguf,
    /// <summary>A Hugging Face checkpoint folder, run in place.</summary>
    Checkpoint,
}

/// <param name="Bytes">the file's size; for a checkpoint, its config.json and safetensors files together</param>
/// <param name="Modified">the file's time; for a checkpoint, the newest of those files</param>
public sealed record ModelEntry(string Id, string Path, long Bytes, DateTime Modified, ModelFacts? Facts, string? Problem)
{
    public ModelFormat Format { get; init; } = ModelFormat.Gguf;

    /// <summary>What the model says about itself (GGUF general.*, a checkpoint's README front matter); null if unreadable.</summary>
    public ModelCard? Card { get; init; }

    /// <summary>The built-in catalog's entry the card matches.</summary>
    public CatalogEntry? CatalogEntry { get; init; }

    /// <summary>Set when the model lies in a pull cache.</summary>
    public PulledModel? Pulled { get; init; }

    /// <summary>For an adapted variant (ID+STEM): the adapter it adds to the server's own --lora ones; else empty.</summary>
    public IReadOnlyList<LoraSpec> Variant { get; init; } = [];
}

/// <summary>What /v1/models shows about a model, read from its metadata and tensor table only (no weights).</summary>
/// <param name="FileType">llama.cpp's file type name (general.file_type), else the type most weight bytes are stored in</param>
public sealed record ModelFacts(string Architecture, string? Name, string? FileType, long Parameters, int ContextLength);

/// <param name="pulled">lists the pulled models (read on every listing); null: none</param>
/// <param name="variants">adapters each fitting model is also offered with, as ID+STEM[@SCALE]</param>
public sealed class ModelCatalog(string directory, Func<IReadOnlyList<PulledModel>>? pulled = null, IReadOnlyList<LoraSpec>? variants = null)
{
    private readonly Dictionary<(string Path, long Bytes, DateTime Modified, string Adapter), bool> _fits = [];
    private const string ConfigName = "config.json";
    private readonly Dictionary<string, ModelEntry> _cache = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string Directory { get; } = System.IO.Path.GetFullPath(directory);

    /// <summary>The current list; models are re-read only when their size or time changes. A checkpoint folder named
    /// like a GGUF file's id is left out (the file keeps the id).</summary>
    public IReadOnlyList<ModelEntry> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var found = new Dictionary<string, ModelEntry>(StringComparer.Ordinal);
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3, IgnoreInaccessible = true };
        lock (_lock)
        {
            foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*.gguf", options))
            {
                string id = System.IO.Path.GetRelativePath(Directory, path)[..^".gguf".Length].Replace('\\', '/');
                found[id] = Current(id, path, ModelFormat.Gguf);
            }
            foreach (string folder in System.IO.Directory.EnumerateDirectories(Directory, "*", new EnumerationOptions { IgnoreInaccessible = true }))
            {
                string id = System.IO.Path.GetFileName(folder);
                if (!found.ContainsKey(id) && IsCheckpoint(folder)) found[id] = Current(id, folder, ModelFormat.Checkpoint);
            }
            foreach (var p in pulled?.Invoke() ?? [])
                if (!found.ContainsKey(p.Id)) found[p.Id] = Current(p.Id, p.Path, ModelFormat.Gguf) with { Pulled = p };
        }
        var list = found.Values.ToList();
        foreach (var spec in variants ?? [])
            foreach (var e in found.Values.Where(e => e.Problem == null && e.Variant.Count == 0))
                if (Fits(e, spec) && !found.ContainsKey(VariantId(e.Id, spec)))
                    list.Add(e with { Id = VariantId(e.Id, spec), Variant = [spec] });
        list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return list;
    }

    /// <summary>ID+STEM, with @SCALE unless the scale is 1.</summary>
    public static string VariantId(string id, LoraSpec spec) =>
        id + "+" + System.IO.Path.GetFileNameWithoutExtension(spec.Path) + (spec.Scale == 1f ? "" : FormattableString.Invariant($"@{spec.Scale}"));

    /// <summary>Whether the adapter fits the model (architecture and shapes), remembered while the model file is unchanged.</summary>
    private bool Fits(ModelEntry e, LoraSpec spec)
    {
        var key = (e.Path, e.Bytes, e.Modified, System.IO.Path.GetFullPath(spec.Path));
        lock (_lock)
        {
            if (_fits.TryGetValue(key, out bool known)) return known;
        }
        bool fits;
        try { fits = AdapterFit.For(e.Path, [spec]).Count == 1; }
        catch (Exception ex) when (ex is IOException or Weft.Formats.ModelFormatException or AdapterException or NotSupportedException) { fits = false; }
        lock (_lock) _fits[key] = fits;
        return fits;
    }

    /// <summary>The entry for a request's model id; ids are looked up, never turned into paths.</summary>
    public ModelEntry? Find(string id)
    {
        // a known, unchanged model needs one stat (a folder: one listing), not a walk of the whole models folder
        lock (_lock)
        {
            if (_cache.TryGetValue(id, out var known) && Stamp(known.Path, known.Format) is { } s && s.Bytes == known.Bytes && s.Modified == known.Modified)
                return known;
        }
        return List().FirstOrDefault(e => e.Id == id);
    }

    /// <summary>The cached entry while the model's size and time are unchanged, else a fresh one.</summary>
    private ModelEntry Current(string id, string path, ModelFormat format)
    {
        var (bytes, modified) = Stamp(path, format) ?? (0, DateTime.MinValue);
        if (!_cache.TryGetValue(id, out var entry) || entry.Path != path || entry.Bytes != bytes || entry.Modified != modified)
            _cache[id] = entry = Describe(id, path, format, bytes, modified);
        return entry;
    }

    /// <summary>config.json beside at least one safetensors file.</summary>
    private static bool IsCheckpoint(string folder) =>
        File.Exists(System.IO.Path.Combine(folder, ConfigName)) && System.IO.Directory.EnumerateFiles(folder, "*.safetensors").Any();

    /// <summary>Size and time of a model; null when it is gone.</summary>
    private static (long Bytes, DateTime Modified)? Stamp(string path, ModelFormat format)
    {
        if (format == ModelFormat.Gguf)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget != null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) info = target; // a cache's snapshot link
            return info.Exists ? (info.Length, info.LastWriteTimeUtc) : null;
        }
        if (!System.IO.Directory.Exists(path)) return null;
        long bytes = 0;
        var modified = DateTime.MinValue;
        foreach (var f in new DirectoryInfo(path).EnumerateFiles())
        {
            if (f.Name != ConfigName && f.Name != SafetensorsCheckpoint.IndexName && !f.Name.EndsWith(".safetensors", StringComparison.Ordinal)) continue;
            bytes += f.Length;
            if (f.LastWriteTimeUtc > modified) modified = f.LastWriteTimeUtc;
        }
        return (bytes, modified);
    }

    private static ModelEntry Describe(string id, string path, ModelFormat format, long bytes, DateTime modified)
    {
        try
        {
            using var source = ModelSource.Open(path);
            string arch = source.TryGet(MetadataKeys.Architecture, out var a) ? a.AsString(MetadataKeys.Architecture) : "unknown";
            long parameters = source.Tensors.Sum(t => t.ElementCount);
            string contextKey = $"{arch}.context_length";
            int ctx = source.TryGet(contextKey, out var c) ? (int)Math.Clamp(c.AsInt64(contextKey), 0, int.MaxValue) : 0;
            string? fileType = source.TryGet(MetadataKeys.FileType, out var ft) ? FileTypeName(ft.AsInt64(MetadataKeys.FileType)) : StoredType(source);
            string? name = source.TryGet(MetadataKeys.Name, out var n) ? n.AsString(MetadataKeys.Name) : null;
            var card = ReadCard(path, format);
            return new ModelEntry(id, path, bytes, modified, new ModelFacts(arch, name, fileType, parameters, ctx), null)
            {
                Format = format, Card = card, CatalogEntry = card == null ? null : LocalModels.Match(card, BuiltInCatalog.BuiltIn),
            };
        }
        catch (Exception e) when (e is Weft.Formats.ModelFormatException or UnsupportedModelException or NotSupportedException
            or JsonException or IOException or UnauthorizedAccessException)
        {
            return new ModelEntry(id, path, bytes, modified, null, e.Message) { Format = format };
        }
    }

    private static ModelCard? ReadCard(string path, ModelFormat format)
    {
        try
        {
            return format == ModelFormat.Gguf ? GgufCardReader.Read(path) : FolderCardReader.Read(path);
        }
        catch (CatalogException)
        {
            return null; // the model runs; its card (malformed front matter, say) is just not shown
        }
    }

    private static string FileTypeName(long id) =>
        Weft.Models.Quantization.FileType.All.FirstOrDefault(f => f.Id == id)?.Name ?? id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The type most of the matrices' bytes are stored in (a checkpoint's F32, F16 or BF16).</summary>
    private static string? StoredType(ModelSource source) => source.Tensors
        .Where(t => t.Shape.Length >= 2)
        .GroupBy(t => t.Type)
        .OrderByDescending(g => g.Sum(t => t.ByteSize))
        .Select(g => g.Key.ToString().ToUpperInvariant())
        .FirstOrDefault();
}
