// JSON shapes of the catalog shared by `weft models`, `weft show`, /v1/models and /api/catalog: an entry, a card, a
// scorecard, a lineage tree.
using System.Text.Json;
using Weft.Catalog.Cards;
using Weft.Catalog.Catalog;
using Weft.Catalog.Openness;

namespace Weft.Catalog;

public static class CatalogJson
{
    public static void Entry(Utf8JsonWriter w, CatalogEntry e, bool full)
    {
        w.WriteString("id", e.Id);
        w.WriteString("name", e.Name);
        if (e.Publisher != null) w.WriteString("publisher", e.Publisher);
        w.WriteString("family", e.Family);
        w.WriteString("architecture", e.Architecture);
        w.WriteNumber("parameters", e.Parameters);
        w.WriteNumber("context", e.Context);
        w.WriteStartObject("license");
        if (e.License.Id != null) w.WriteString("id", e.License.Id);
        if (e.License.Name != null) w.WriteString("name", e.License.Name);
        if (e.License.Link != null) w.WriteString("link", e.License.Link);
        w.WriteBoolean("commercial", e.License.Commercial);
        if (e.License.Source != null) w.WriteString("source", e.License.Source);
        w.WriteEndObject();
        if (e.Base != null) { w.WriteString("base", e.Base); w.WriteString("relation", e.Relation); }
        Strings(w, "tasks", e.Tasks);
        Strings(w, "languages", e.Languages);
        if (e.HfRepo != null) w.WriteString("hf_repo", e.HfRepo);
        w.WriteString("source", e.Source);
        if (e.Description != null) w.WriteString("description", e.Description);
        w.WriteStartArray("sizes");
        foreach (var s in QuantSizes.All(e))
        {
            w.WriteStartObject();
            w.WriteString("quant", s.Quant);
            w.WriteNumber("bytes", s.Bytes);
            w.WriteBoolean("estimated", s.Estimated);
            w.WriteNumber("run_bytes", s.Bytes + QuantSizes.KvCacheBytes(e));
            if (s.Repo != null) w.WriteString("repo", s.Repo);
            if (s.File != null) w.WriteString("file", s.File);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WritePropertyName("openness");
        Scorecard(w, Openness.Scorecard.FromCatalog(e));
        if (!full) return;
        w.WriteStartArray("scores");
        foreach (var s in e.Scores)
        {
            w.WriteStartObject();
            w.WriteString("benchmark", s.Benchmark);
            w.WriteNumber("value", s.Value);
            if (s.Setting != null) w.WriteString("setting", s.Setting);
            w.WriteString("source", s.Source);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void Scorecard(Utf8JsonWriter w, Scorecard sc)
    {
        w.WriteStartObject();
        foreach (var c in sc.Components)
        {
            w.WriteStartObject(c.Component);
            w.WriteString("status", c.Status.ToString().ToLowerInvariant());
            if (c.Evidence != null) w.WriteString("evidence", c.Evidence);
            if (c.Note != null) w.WriteString("note", c.Note);
            w.WriteEndObject();
        }
        w.WriteNumber("open", sc.OpenCount);
        w.WriteNumber("verified", sc.VerifiedCount);
        if (sc.MofClass != null) w.WriteString("mof_class", sc.MofClass);
        else w.WriteNull("mof_class");
        w.WriteNumber("index", sc.Index);
        w.WriteEndObject();
    }

    /// <param name="withSource">false leaves out the card's path on disk (what a server shows its clients)</param>
    public static void Card(Utf8JsonWriter w, ModelCard c, bool withSource = true)
    {
        w.WriteStartObject();
        if (withSource) w.WriteString("source", c.Source);
        w.WriteString("kind", c.Kind);
        void S(string k, string? v) { if (v != null) w.WriteString(k, v); }
        S("name", c.Name); S("author", c.Author); S("organization", c.Organization); S("basename", c.Basename);
        S("finetune", c.Finetune); S("version", c.Version); S("size_label", c.SizeLabel); S("description", c.Description);
        if (c.License is { } l)
        {
            w.WriteStartObject("license");
            S("id", l.Id); S("name", l.Name); S("link", l.Link);
            w.WriteEndObject();
        }
        S("url", c.Url); S("repo_url", c.RepoUrl);
        w.WriteStartArray("base_models");
        foreach (var b in c.BaseModels)
        {
            w.WriteStartObject();
            S("name", b.Name); S("organization", b.Organization); S("repo_url", b.RepoUrl);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        S("base_model_relation", c.BaseModelRelation);
        Strings(w, "datasets", c.Datasets);
        Strings(w, "tags", c.Tags);
        Strings(w, "languages", c.Languages);
        S("task", c.Task); S("architecture", c.Architecture);
        if (c.Parameters is long p) w.WriteNumber("parameters", p);
        if (c.Context is long ctx) w.WriteNumber("context", ctx);
        if (c.FileBytes is long fb) w.WriteNumber("file_bytes", fb);
        S("weight_type", c.WeightType);
        if (c.LoraAlpha is double a) w.WriteNumber("lora_alpha", a);
        w.WriteEndObject();
    }

    public static void Tree(Utf8JsonWriter w, LineageNode n)
    {
        w.WriteStartObject();
        w.WriteString("id", n.Id);
        w.WriteString("name", n.Name);
        if (n.Relation != null) w.WriteString("relation", n.Relation);
        w.WriteStartArray("children");
        foreach (var c in n.Children) Tree(w, c);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> items)
    {
        w.WriteStartArray(name);
        foreach (var s in items) w.WriteStringValue(s);
        w.WriteEndArray();
    }

    public static string Bytes(long b) => b >= 1_000_000_000 ? $"{b / 1e9:0.00} GB" : $"{b / 1e6:0.0} MB";

    public static string Parameters(long p) => p >= 1_000_000_000 ? $"{p / 1e9:0.#}B" : $"{p / 1e6:0.#}M";
}
