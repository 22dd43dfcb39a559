// weft show ID|PATH [--json]: a model's card, licence, lineage, sizes per quant type, scores with sources, openness.
using System.CommandLine;
using System.Text.Json;
using Weft.Catalog;
using Weft.Catalog.Cards;
using Weft.Catalog.Catalog;
using Weft.Catalog.Openness;

namespace Weft.Cli.Verbs;

internal static class ShowVerb
{
    public static Command Create()
    {
        var target = new Argument<string>("MODEL") { Description = "a catalog id or name, a GGUF file, or a checkpoint folder" };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var cmd = new Command("show", "Show a model's card, licence, lineage, sizes, published scores and openness") { target, json };
        cmd.SetAction(r =>
        {
            string t = r.GetValue(target)!;
            var catalog = ModelCatalog.BuiltIn;
            ModelCard? card = null;
            Scorecard? local = null;
            CatalogEntry? entry;
            if (File.Exists(t) || Directory.Exists(t))
            {
                card = ModelCard.Read(t);
                entry = LocalModels.Match(card, catalog);
                string folder = File.Exists(t) ? Path.GetDirectoryName(Path.GetFullPath(t))! : t;
                if (card.Kind != "adapter" && Directory.EnumerateFiles(folder, "*.gguf").Any())
                    local = LocalOpenness.Score(folder, card.License?.Id ?? entry?.License.Id);
            }
            else
            {
                entry = catalog.Find(t) ?? throw new UsageException($"'{t}' is neither a file, a folder nor a catalog entry (see `weft models`)");
            }
            if (r.GetValue(json)) PrintJson(catalog, entry, card, local);
            else PrintText(catalog, entry, card, local);
            return 0;
        });
        return cmd;
    }

    private static void PrintText(ModelCatalog catalog, CatalogEntry? e, ModelCard? card, Scorecard? local)
    {
        var o = Console.Out;
        if (card != null)
        {
            o.WriteLine($"{card.Name ?? Path.GetFileName(card.Source)}  ({card.Kind}, {card.Source})");
            void L(string k, string? v) { if (!string.IsNullOrEmpty(v)) o.WriteLine($"  {k,-14} {v}"); }
            L("author", card.Author); L("organization", card.Organization); L("basename", card.Basename); L("finetune", card.Finetune);
            L("version", card.Version); L("size label", card.SizeLabel); L("architecture", card.Architecture);
            L("parameters", card.Parameters is long p ? $"{p:N0}" : null); L("context", card.Context?.ToString());
            L("weights", card.WeightType); L("file", card.FileBytes is long fb ? CatalogJson.Bytes(fb) : null);
            L("licence", card.License is { } l ? string.Join(" ", new[] { l.Id, l.Name, l.Link }.Where(x => x != null)) : null);
            L("url", card.Url); L("repo", card.RepoUrl);
            L("base models", string.Join(", ", card.BaseModels.Select(b => b.Name)));
            L("relation", card.BaseModelRelation); L("datasets", string.Join(", ", card.Datasets));
            L("tags", string.Join(", ", card.Tags)); L("languages", string.Join(", ", card.Languages)); L("task", card.Task);
            L("lora alpha", card.LoraAlpha?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            o.WriteLine(e != null ? $"  catalog entry  {e.Id}" : "  catalog entry  (none matches)");
            o.WriteLine();
        }
        if (e != null)
        {
            o.WriteLine($"{e.Name} [{e.Id}]  {e.Publisher}");
            if (e.Description != null) o.WriteLine($"  {e.Description}");
            o.WriteLine($"  family {e.Family}, architecture {e.Architecture}, {e.Parameters:N0} parameters, context {e.Context}");
            o.WriteLine($"  licence: {e.License.Display}{(e.License.Link != null ? " " + e.License.Link : "")}, commercial use {(e.License.Commercial ? "allowed" : "not allowed")} ({e.License.Source})");
            o.WriteLine($"  tasks: {string.Join(", ", e.Tasks)}; languages: {string.Join(", ", e.Languages)}");
            o.WriteLine($"  source: {e.Source}");
            o.WriteLine($"  lineage: {string.Join(" → ", Lineage.Ancestry(catalog, e).Select(a => a.Relation != null ? $"{a.Id} [{a.Relation}]" : a.Id))}");
            var below = Lineage.Tree(catalog, e).Children;
            if (below.Count > 0) o.WriteLine($"  derived: {string.Join(", ", below.Select(c => $"{c.Id} [{c.Relation}]"))}");
            o.WriteLine("  sizes (file / with KV cache at the default context):");
            foreach (var s in QuantSizes.All(e))
                o.WriteLine($"    {s.Quant,-7} {CatalogJson.Bytes(s.Bytes),10} / {CatalogJson.Bytes(s.Bytes + QuantSizes.KvCacheBytes(e)),10}{(s.Estimated ? "  (estimated)" : "")}{(s.File != null ? $"  hf://{s.Repo}/{s.File}" : "")}");
            if (e.Scores.Count > 0)
            {
                o.WriteLine("  published scores:");
                foreach (var s in e.Scores) o.WriteLine($"    {s.Benchmark} {s.Value}{(s.Setting != null ? $" ({s.Setting})" : "")}  {s.Source}");
            }
        }
        if (local != null) PrintScorecard("openness (checked on the files)", local);
        if (e != null) PrintScorecard("openness (as published)", Scorecard.FromCatalog(e));
    }

    private static void PrintScorecard(string title, Scorecard sc)
    {
        Console.WriteLine($"  {title}: {sc.OpenCount}/5 open, {sc.VerifiedCount}/5 verified, MOF class {sc.MofClass ?? "none"}, openness index {sc.Index}/100");
        foreach (var c in sc.Components)
            Console.WriteLine($"    {c.Component,-17} {c.Status.ToString().ToLowerInvariant(),-9} {c.Evidence}{(c.Note != null ? $"  ({c.Note})" : "")}");
    }

    private static void PrintJson(ModelCatalog catalog, CatalogEntry? e, ModelCard? card, Scorecard? local)
    {
        using var w = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        if (card != null) { w.WritePropertyName("card"); CatalogJson.Card(w, card); }
        if (local != null) { w.WritePropertyName("local_openness"); CatalogJson.Scorecard(w, local); }
        if (e != null)
        {
            w.WriteStartObject("entry");
            CatalogJson.Entry(w, e, full: true);
            w.WriteEndObject();
            w.WriteStartArray("ancestry");
            foreach (var a in Lineage.Ancestry(catalog, e)) w.WriteStringValue(a.Id);
            w.WriteEndArray();
            w.WritePropertyName("lineage");
            CatalogJson.Tree(w, Lineage.Tree(catalog, e));
        }
        w.WriteEndObject();
        w.Flush();
        Console.WriteLine();
    }
}
