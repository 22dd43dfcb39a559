// weft models [filters] [--dir DIR] [--json] and `weft models tree ID`: the catalog and local models, filtered; a lineage tree.
using System.CommandLine;
using System.Text.Json;
using Weft.Catalog;
using Weft.Catalog.Catalog;
using Weft.Catalog.Hub;
using Weft.Catalog.Openness;
using Weft.Catalog.Store;

namespace Weft.Cli.Verbs;

internal static class ModelsVerb
{
    public static Command Create()
    {
        var task = new Option<string?>("--task") { Description = "a task: text-generation, chat, medical, math, code, ..." };
        var license = new Option<string?>("--license") { Description = "'commercial' or a licence id (Apache-2.0, llama2, ...)" };
        var family = new Option<string?>("--family") { Description = "a model family: llama2, mistral, falcon, olmo, ..." };
        var minParams = new Option<double?>("--min-params") { Description = "at least this many billion parameters" };
        var maxParams = new Option<double?>("--max-params") { Description = "at most this many billion parameters" };
        var fitsRam = new Option<bool>("--fits-ram") { Description = "only models whose file plus KV cache (default context) fit in free RAM" };
        var quant = new Option<string>("--quant") { Description = "quant type for --fits-ram and sizes", DefaultValueFactory = _ => "Q4_K_M" };
        var open = new Option<int?>("--open") { Description = "at least N of the five openness components verified or declared" };
        var language = new Option<string?>("--language") { Description = "a language code: en, ja, fr, ..." };
        var search = new Option<string?>("--search") { Description = "text searched in ids, names, publishers, descriptions" };
        var dir = new Option<string?>("--dir") { Description = "also list the GGUF files and checkpoint folders under this folder" };
        var cache = new Option<string?>("--cache") { Description = "pull cache to list (default: the Hugging Face and Ollama caches `weft pull` uses)" };
        var noPulled = new Option<bool>("--no-pulled") { Description = "leave out the models in the pull caches" };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var cmd = new Command("models", "List catalog and local models, filtered by task, licence, size, memory and openness")
        {
            task, license, family, minParams, maxParams, fitsRam, quant, open, language, search, dir, cache, noPulled, json,
        };
        cmd.SetAction(r =>
        {
            if (r.GetValue(open) is < 0 or > 5) throw new UsageException("--open must be between 0 and 5");
            string q = r.GetValue(quant)!;
            if (Weft.Catalog.Cards.FileTypeNames.BitsPerWeight(q) == null) throw new UsageException($"--quant: unknown quant type '{q}'");
            var filter = new CatalogFilter
            {
                Task = r.GetValue(task), License = r.GetValue(license), Family = r.GetValue(family),
                MinParameters = r.GetValue(minParams) is double lo ? (long)(lo * 1e9) : null,
                MaxParameters = r.GetValue(maxParams) is double hi ? (long)(hi * 1e9) : null,
                RamBytes = r.GetValue(fitsRam) ? QuantSizes.FreeRamBytes() : null, Quant = q,
                MinOpen = r.GetValue(open), Language = r.GetValue(language), Search = r.GetValue(search),
            };
            var catalog = ModelCatalog.BuiltIn;
            var entries = filter.Apply(catalog.Entries).ToList();
            var local = (r.GetValue(dir) is { } d ? LocalModels.Scan(d, catalog) : []).ToList();
            if (!r.GetValue(noPulled))
            {
                var hub = HubOptions.FromEnvironment();
                if (r.GetValue(cache) is string c) hub = hub with { HfCache = c, OllamaModels = c };
                local.AddRange(LocalModels.FromPulled(PulledModels.List(hub), catalog));
            }
            if (r.GetValue(json)) PrintJson(entries, local, filter);
            else PrintText(entries, local, filter);
            return 0;
        });
        cmd.Subcommands.Add(TreeCommand());
        return cmd;
    }

    private static Command TreeCommand()
    {
        var id = new Argument<string>("ID") { Description = "a catalog id or name" };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var cmd = new Command("tree", "Show a model's lineage: its bases, then its fine-tunes, adapters, merges and quantizations") { id, json };
        cmd.SetAction(r =>
        {
            var catalog = ModelCatalog.BuiltIn;
            string name = r.GetValue(id)!;
            var e = catalog.Find(name) ?? throw new UsageException($"'{name}' is not in the catalog (see `weft models`)");
            var ancestry = Lineage.Ancestry(catalog, e);
            var tree = Lineage.Tree(catalog, e);
            if (r.GetValue(json))
            {
                using var w = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = true });
                w.WriteStartObject();
                w.WriteStartArray("ancestry");
                foreach (var a in ancestry) w.WriteStringValue(a.Id);
                w.WriteEndArray();
                w.WritePropertyName("tree");
                CatalogJson.Tree(w, tree);
                w.WriteEndObject();
                w.Flush();
                Console.WriteLine();
                return 0;
            }
            for (int i = 0; i < ancestry.Count - 1; i++)
                Console.WriteLine($"{new string(' ', 2 * i)}{ancestry[i].Id} ({ancestry[i].Name})" + (i > 0 ? $" [{ancestry[i].Relation}]" : ""));
            PrintNode(tree, 2 * (ancestry.Count - 1));
            return 0;
        });
        return cmd;
    }

    private static void PrintNode(LineageNode n, int indent)
    {
        Console.WriteLine($"{new string(' ', indent)}{(indent > 0 ? "└ " : "")}{n.Id} ({n.Name})" + (n.Relation != null ? $" [{n.Relation}]" : ""));
        foreach (var c in n.Children) PrintNode(c, indent + 2);
    }

    private static void PrintText(List<CatalogEntry> entries, IReadOnlyList<LocalModel> local, CatalogFilter f)
    {
        Console.WriteLine($"{"id",-30} {"params",7} {"ctx",6} {"licence",-16} {"comm",4} {f.Quant + " run",12} {"open",4}  tasks");
        foreach (var e in entries)
        {
            var sc = Scorecard.FromCatalog(e);
            string run = QuantSizes.RunBytes(e, f.Quant) is long b ? CatalogJson.Bytes(b) : "?";
            Console.WriteLine($"{e.Id,-30} {CatalogJson.Parameters(e.Parameters),7} {e.Context,6} {e.License.Display,-16} {(e.License.Commercial ? "yes" : "no"),4} {run,12} {sc.OpenCount + "/5",4}  {string.Join(',', e.Tasks)}");
        }
        if (local.Count == 0) return;
        Console.WriteLine();
        Console.WriteLine("local:");
        foreach (var m in local)
            Console.WriteLine($"  * {(m.Pulled != null ? m.Pulled.Id + "  " : "")}{m.Path}  {m.Card.Name ?? "(no name)"}  {m.Card.WeightType}  {(m.Card.FileBytes is long fb ? CatalogJson.Bytes(fb) : "")}" + (m.Entry != null ? $"  -> {m.Entry.Id}" : ""));
    }

    private static void PrintJson(List<CatalogEntry> entries, IReadOnlyList<LocalModel> local, CatalogFilter f)
    {
        using var w = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("quant", f.Quant);
        if (f.RamBytes is long ram) w.WriteNumber("free_ram_bytes", ram);
        w.WriteStartArray("models");
        foreach (var e in entries)
        {
            w.WriteStartObject();
            w.WriteBoolean("local", false);
            CatalogJson.Entry(w, e, full: false);
            w.WriteEndObject();
        }
        foreach (var m in local)
        {
            w.WriteStartObject();
            w.WriteBoolean("local", true);
            w.WriteString("path", m.Path);
            if (m.Pulled != null) { w.WriteString("pulled_id", m.Pulled.Id); w.WriteString("pull_spec", m.Pulled.PullSpec); }
            if (m.Entry != null) w.WriteString("catalog_id", m.Entry.Id);
            w.WritePropertyName("card");
            CatalogJson.Card(w, m.Card);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        Console.WriteLine();
    }
}
