// The model catalog: loads the YAML data file (built in, or any other) strictly and answers look-ups.
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Weft.Catalog.Catalog;

/// <summary>A validated list of catalog entries.</summary>
public sealed partial class ModelCatalog
{
    /// <summary>Relations an entry may have to its base (Hugging Face's base_model_relation).</summary>
    public static readonly IReadOnlyList<string> Relations = ["finetune", "adapter", "quantized", "merge"];
    /// <summary>Evidence a catalog may state; "verified" is only ever computed from an artifact.</summary>
    public static readonly IReadOnlyList<string> Statuses = ["declared", "absent", "unknown"];

    private static readonly Lazy<ModelCatalog> BuiltInCatalog = new(LoadBuiltIn);
    private readonly Dictionary<string, CatalogEntry> _byId;

    public IReadOnlyList<CatalogEntry> Entries { get; }

    private ModelCatalog(List<CatalogEntry> entries)
    {
        Entries = entries;
        _byId = entries.ToDictionary(e => e.Id, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The catalog shipped inside Weft (Data/catalog.yaml).</summary>
    public static ModelCatalog BuiltIn => BuiltInCatalog.Value;

    /// <summary>The entry with this id (case-insensitive) or name, or null.</summary>
    public CatalogEntry? Find(string idOrName) => _byId.GetValueOrDefault(idOrName)
        ?? Entries.FirstOrDefault(e => string.Equals(e.Name, idOrName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(e.HfRepo, idOrName, StringComparison.OrdinalIgnoreCase));

    /// <summary>The entries whose base is <paramref name="id"/>.</summary>
    public IEnumerable<CatalogEntry> ChildrenOf(string id) =>
        Entries.Where(e => string.Equals(e.Base, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses and validates catalog YAML; <paramref name="sourceName"/> names it in errors.</summary>
    public static ModelCatalog Parse(string yaml, string sourceName)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        CatalogFile? file;
        try
        {
            file = deserializer.Deserialize<CatalogFile>(yaml);
        }
        catch (YamlException e)
        {
            string? entry = EntryAt(yaml, (int)e.Start.Line);
            string where = entry == null ? "" : $" (entry '{entry}')";
            throw new CatalogException($"{sourceName}:{e.Start.Line}{where}: {Innermost(e)}", e);
        }
        if (file?.Models is not { Count: > 0 } models) throw new CatalogException($"{sourceName}: no 'models' list");
        Validate(models, sourceName);
        return new ModelCatalog(models);
    }

    /// <summary>Reads a catalog file from disk.</summary>
    public static ModelCatalog Load(string path) => Parse(File.ReadAllText(path), path);

    private static ModelCatalog LoadBuiltIn()
    {
        using var s = typeof(ModelCatalog).Assembly.GetManifestResourceStream("Weft.Catalog.Data.catalog.yaml")
            ?? throw new InvalidOperationException("the built-in catalog is missing from the assembly");
        using var r = new StreamReader(s);
        return Parse(r.ReadToEnd(), "catalog.yaml (built in)");
    }

    private static void Validate(List<CatalogEntry> models, string src)
    {
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in models)
        {
            if (string.IsNullOrWhiteSpace(e.Id)) throw new CatalogException($"{src}: an entry has no id");
            if (!ids.Add(e.Id)) throw new CatalogException($"{src}: entry '{e.Id}' appears twice");
        }
        foreach (var e in models)
        {
            string at = $"{src}: entry '{e.Id}'";
            if (e.Name.Length == 0) throw new CatalogException($"{at}: no name");
            if (e.Family.Length == 0) throw new CatalogException($"{at}: no family");
            if (e.Architecture.Length == 0) throw new CatalogException($"{at}: no architecture");
            if (e.Parameters <= 0) throw new CatalogException($"{at}: parameters must be positive");
            if (e.Context <= 0) throw new CatalogException($"{at}: context must be positive");
            if (e.Layers <= 0 || e.KvHeads <= 0 || e.HeadDim <= 0) throw new CatalogException($"{at}: layers, kv_heads and head_dim must be positive");
            if (e.Source.Length == 0) throw new CatalogException($"{at}: no source URL");
            if (e.License.Id == null && (e.License.Name == null || e.License.Link == null))
                throw new CatalogException($"{at}: the licence needs an id, or a name and a link");
            if (e.License.Source == null) throw new CatalogException($"{at}: the licence has no source URL");
            if (e.Base != null)
            {
                if (!ids.Contains(e.Base)) throw new CatalogException($"{at}: its base '{e.Base}' is not in the catalog");
                if (e.Relation == null || !Relations.Contains(e.Relation))
                    throw new CatalogException($"{at}: relation must be one of {string.Join(", ", Relations)} (got '{e.Relation}')");
            }
            else if (e.Relation != null) throw new CatalogException($"{at}: a relation '{e.Relation}' without a base");
            if (e.Tasks.Count == 0) throw new CatalogException($"{at}: no tasks");
            foreach (var (component, ev) in Components(e.Openness))
            {
                if (!Statuses.Contains(ev.Status))
                    throw new CatalogException($"{at}: openness.{component} status must be one of {string.Join(", ", Statuses)} (got '{ev.Status}')");
                if (ev.Status != "unknown" && string.IsNullOrEmpty(ev.Source))
                    throw new CatalogException($"{at}: openness.{component} is '{ev.Status}' without a source URL");
            }
            foreach (var s in e.Scores)
                if (s.Benchmark.Length == 0 || s.Source.Length == 0) throw new CatalogException($"{at}: a score needs a benchmark and a source URL");
            if (e.Gguf is { } g)
            {
                if (g.Repo.Length == 0) throw new CatalogException($"{at}: gguf has no repo");
                foreach (var f in g.Files)
                    if (f.Quant.Length == 0 || f.File.Length == 0 || f.Gb is <= 0) throw new CatalogException($"{at}: a gguf file needs quant, file and a positive size");
            }
        }
        // A cycle of bases would make the lineage endless.
        foreach (var e in models)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var cur = e; cur?.Base != null; cur = models.First(m => string.Equals(m.Id, cur.Base, StringComparison.OrdinalIgnoreCase)))
                if (!seen.Add(cur.Id)) throw new CatalogException($"{src}: entry '{e.Id}': its bases form a cycle");
        }
    }

    /// <summary>The five components in a fixed order, with their snake_case names.</summary>
    public static IEnumerable<(string Name, Evidence Evidence)> Components(CatalogOpenness o) =>
        [("training_data", o.TrainingData), ("weights", o.Weights), ("eval_code", o.EvalCode), ("finetune_code", o.FinetuneCode), ("training_metrics", o.TrainingMetrics)];

    /// <summary>The id of the entry whose "- id:" line precedes <paramref name="line"/> (1-based), for error messages.</summary>
    private static string? EntryAt(string yaml, int line)
    {
        string? id = null;
        int n = 0;
        foreach (var l in yaml.Split('\n'))
        {
            if (++n > line) break;
            var m = IdLine().Match(l);
            if (m.Success) id = m.Groups[1].Value.Trim().Trim('"', '\'');
        }
        return id;
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException != null) e = e.InnerException;
        return e.Message;
    }

    [GeneratedRegex(@"^\s*-\s+id:\s*(\S+)")]
    private static partial Regex IdLine();

    private sealed class CatalogFile
    {
        public List<CatalogEntry>? Models { get; set; }
    }
}
