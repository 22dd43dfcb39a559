// GET /v1/models and GET /v1/models/{id}: every model in the models folder (GGUF files and checkpoint folders) and the
// pull caches, with its metadata, its card and the catalog entry it matches (id and published openness); then the
// remote endpoints' models (marked remote); a local model pooled with remote replicas of its id names them in
// meta.pooled_with.
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Catalog;
using Weft.Catalog.Openness;
using Weft.Server.Hosting;
using Weft.Server.Remote;

namespace Weft.Server.Api;

internal static class ModelsEndpoints
{
    public static RouteGroupBuilder MapModels(this RouteGroupBuilder v1)
    {
        v1.MapGet("/models", async (HttpContext http, ModelPool pool, ServerOptions options, RemoteEndpoints remote) =>
        {
            var entries = pool.Catalog.List();
            var loaded = LoadedIds(pool);
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteString("object", "list");
                w.WriteStartArray("data");
                foreach (var e in entries) Write(w, e, loaded, Slots(loaded, options, e.Id), remote.Replicas(e.Id));
                foreach (var (id, replicas) in remote.Models())
                    if (pool.Catalog.Find(id) == null) RemoteModelsJson.Write(w, id, replicas); // a pooled id is listed once, above
                w.WriteEndArray();
                w.WriteEndObject();
            });
        });
        v1.MapGet("/models/{**id}", async (HttpContext http, ModelPool pool, ServerOptions options, RemoteEndpoints remote, string id) =>
        {
            var entry = pool.Catalog.Find(id);
            if (entry == null && remote.Replicas(id) is { Count: > 0 } replicas)
            {
                await Json.WriteAsync(http.Response, w => RemoteModelsJson.Write(w, id, replicas));
                return;
            }
            if (entry == null) throw ApiException.NotFound($"the model '{id}' does not exist", "model");
            var loaded = LoadedIds(pool);
            await Json.WriteAsync(http.Response, w => Write(w, entry, loaded, Slots(loaded, options, entry.Id), remote.Replicas(id)));
        });
        return v1;
    }

    /// <summary>The models in memory and their slots, gathered once per request.</summary>
    private static Dictionary<string, int> LoadedIds(ModelPool pool) => pool.Loaded.ToDictionary(m => m.Entry.Id, m => m.SlotCount, StringComparer.Ordinal);

    /// <summary>A loaded model's slots; else --parallel, or null while a model without it is not loaded (its slots
    /// depend on its size, ModelPool.AutoSlots).</summary>
    private static int? Slots(Dictionary<string, int> loaded, ServerOptions options, string id) =>
        loaded.TryGetValue(id, out int n) ? n : options.Parallel > 0 ? options.Parallel : null;

    /// <param name="slots">requests of this model decoded together (--parallel); null: not known until it loads</param>
    /// <param name="pooled">remote replicas of the same id, sharing its requests (docs/gateway.md)</param>
    private static void Write(Utf8JsonWriter w, ModelEntry e, Dictionary<string, int> loaded, int? slots, IReadOnlyList<RemoteEndpoint> pooled)
    {
        w.WriteStartObject();
        w.WriteString("id", e.Id);
        w.WriteString("object", "model");
        w.WriteNumber("created", new DateTimeOffset(e.Modified).ToUnixTimeSeconds());
        w.WriteString("owned_by", "weft");
        w.WriteStartObject("meta");
        w.WriteNumber("bytes", e.Bytes);
        w.WriteBoolean("loaded", loaded.ContainsKey(e.Id));
        if (slots is int n) w.WriteNumber("slots", n); else w.WriteNull("slots");
        w.WriteString("format", e.Format == ModelFormat.Gguf ? "gguf" : "safetensors");
        if (e.Facts is { } f)
        {
            w.WriteString("architecture", f.Architecture);
            if (f.Name != null) w.WriteString("name", f.Name);
            if (f.FileType != null) w.WriteString("type", f.FileType);
            w.WriteNumber("parameters", f.Parameters);
            w.WriteNumber("context_length", f.ContextLength);
        }
        if (e.Problem != null) w.WriteString("error", e.Problem);
        if (e.Variant.Count > 0)
        {
            w.WriteString("base", e.Id[..e.Id.LastIndexOf('+')]);
            w.WriteStartArray("adapters");
            foreach (var a in e.Variant) w.WriteStringValue(Path.GetFileName(a.Path));
            w.WriteEndArray();
        }
        if (e.Pulled != null) w.WriteString("pull_spec", e.Pulled.PullSpec);
        if (e.Card != null) { w.WritePropertyName("card"); CatalogJson.Card(w, e.Card, withSource: false); }
        if (e.CatalogEntry != null)
        {
            w.WriteString("catalog_id", e.CatalogEntry.Id);
            w.WritePropertyName("openness");
            CatalogJson.Scorecard(w, Scorecard.FromCatalog(e.CatalogEntry));
        }
        if (pooled.Count > 0) RemoteModelsJson.Endpoints(w, "pooled_with", pooled);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
