// GET /api/version, GET /api/tags, POST /api/show, GET /api/ps: Ollama's views of the models folder and of the
// models in memory, from the same catalog as /v1/models; Ollama's model management (pull, create, …) answers a 404 saying so.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Formats.Gguf;
using Weft.Inference.Templates;
using Weft.Models;
using Weft.Models.Loading;
using Weft.Server.Hosting;

namespace Weft.Server.Api.Ollama;

internal static class OllamaModelsEndpoints
{
    /// <summary>The Ollama version this server answers as: 0.5.0 (December 2024) has every endpoint and field served
    /// here, and clients that check a least version (for /api/embed, say) accept it.</summary>
    public const string Version = "0.5.0";

    public static RouteGroupBuilder MapOllamaModels(this RouteGroupBuilder api)
    {
        api.MapGet("/version", (HttpContext http) => Json.WriteAsync(http.Response, w =>
        {
            w.WriteStartObject();
            w.WriteString("version", Version);
            w.WriteEndObject();
        }));
        api.MapGet("/tags", (HttpContext http, ModelPool pool) =>
        {
            // models that cannot be read (a broken file) are left out: Ollama lists only models it can run
            var entries = pool.Catalog.List().Where(e => e.Problem == null).ToList();
            return Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("models");
                foreach (var e in entries)
                {
                    w.WriteStartObject();
                    w.WriteString("name", OllamaProtocol.Tagged(e.Id));
                    w.WriteString("model", OllamaProtocol.Tagged(e.Id));
                    w.WriteString("modified_at", OllamaProtocol.Time(e.Modified));
                    w.WriteNumber("size", e.Bytes);
                    w.WriteString("digest", Digest(e));
                    Details(w, e);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
        });
        api.MapGet("/ps", (HttpContext http, ModelPool pool) =>
        {
            var loaded = pool.Loaded.OrderBy(m => m.Entry.Id, StringComparer.Ordinal).ToList();
            // Weft keeps a model until the memory budget evicts it (or a keep_alive 0 unloads it): no expiry, so the
            // time Ollama shows for keep_alive -1 (now plus the longest Go duration, about 292 years)
            string expires = OllamaProtocol.Time(DateTime.UtcNow.AddYears(292));
            return Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("models");
                foreach (var m in loaded)
                {
                    w.WriteStartObject();
                    w.WriteString("name", OllamaProtocol.Tagged(m.Entry.Id));
                    w.WriteString("model", OllamaProtocol.Tagged(m.Entry.Id));
                    w.WriteNumber("size", m.Entry.Bytes);
                    w.WriteString("digest", Digest(m.Entry));
                    Details(w, m.Entry);
                    w.WriteString("expires_at", expires);
                    w.WriteNumber("size_vram", 0); // CPU inference: nothing lives in GPU memory
                    w.WriteNumber("context_length", m.ContextSize);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
        });
        api.MapPost("/show", async (HttpContext http, ModelPool pool) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string name = OllamaProtocol.ModelName(body);
            _ = body.OptionalBool("verbose", false); // arrays (the vocabulary) are always shown empty, as Ollama does without it
            var entry = OllamaProtocol.Find(pool, name);
            if (entry.Problem != null)
                throw new ApiException(500, $"the model '{entry.Id}' cannot be loaded: {entry.Problem}", "server_error", "model", "model_load_failed");
            var info = Metadata(entry);
            int context = entry.Facts?.ContextLength is int train && train > 0 ? pool.ContextFor(train) : 0;
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteString("modelfile", Modelfile(entry, info.Template, context));
                w.WriteString("parameters", context > 0 ? $"num_ctx {context}" : "");
                w.WriteString("template", info.Template);
                w.WriteString("license", entry.Card?.License?.Name ?? entry.Card?.License?.Id ?? "");
                Details(w, entry);
                w.WriteStartObject("model_info");
                foreach (var (key, value) in info.Values) Value(w, key, value);
                if (!info.Values.Any(kv => kv.Key == "general.parameter_count")) w.WriteNumber("general.parameter_count", entry.Facts?.Parameters ?? 0);
                w.WriteEndObject();
                // every decoder here also answers /api/embed (mean-pooled hidden states)
                w.WriteStartArray("capabilities");
                w.WriteStringValue("completion");
                w.WriteStringValue("embedding");
                w.WriteEndArray();
                w.WriteString("modified_at", OllamaProtocol.Time(entry.Modified));
                w.WriteEndObject();
            });
        });
        // Ollama's model management is not served: a client that tries it is told where models come from here
        foreach (var (method, path) in Management)
            api.MapMethods(path, [method], (HttpContext http) => Task.FromException(new ApiException(404,
                $"{http.Request.Method} {http.Request.Path} (Ollama's model management) is not served by weft serve: models are the files in its models folder; pull more with the catalog page (/catalog) or 'weft pull'",
                code: "not_found")));
        return api;
    }

    private static readonly (string Method, string Path)[] Management =
    [
        ("POST", "/pull"), ("POST", "/push"), ("POST", "/create"), ("POST", "/copy"), ("DELETE", "/delete"),
        ("HEAD", "/blobs/{digest}"), ("POST", "/blobs/{digest}"),
    ];

    /// <summary>sha256 of the model's id, size in bytes and modification time (ticks), in hex: stable while the file is
    /// unchanged and cheap (hashing gigabytes of weights for each listing is not); it is not the hash of the file.</summary>
    public static string Digest(ModelEntry e) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{e.Id}\n{e.Bytes}\n{e.Modified.ToUniversalTime().Ticks}"))));

    private static void Details(Utf8JsonWriter w, ModelEntry e)
    {
        w.WriteStartObject("details");
        w.WriteString("parent_model", "");
        w.WriteString("format", e.Format == ModelFormat.Gguf ? "gguf" : "safetensors");
        string family = e.Facts?.Architecture ?? "unknown";
        w.WriteString("family", family);
        w.WriteStartArray("families");
        w.WriteStringValue(family);
        w.WriteEndArray();
        w.WriteString("parameter_size", ParameterSize(e.Facts?.Parameters ?? 0));
        w.WriteString("quantization_level", e.Facts?.FileType ?? "unknown");
        w.WriteEndObject();
    }

    /// <summary>Ollama's short count: "7B", "1.1B", "68M", "512K", with one decimal when it is not zero.</summary>
    public static string ParameterSize(long n)
    {
        var (value, unit) = n >= 1_000_000_000 ? (n / 1e9, "B") : n >= 1_000_000 ? (n / 1e6, "M") : n >= 1_000 ? (n / 1e3, "K") : (n, "");
        double rounded = Math.Round(value, 1, MidpointRounding.AwayFromZero);
        return (rounded == Math.Floor(rounded) ? rounded.ToString("0", CultureInfo.InvariantCulture) : rounded.ToString("0.0", CultureInfo.InvariantCulture)) + unit;
    }

    /// <summary>The model's metadata keys (general.*, the architecture's, the tokenizer's; arrays shown empty) and its
    /// chat template: its own, else the built-in one Weft renders it with.</summary>
    private static (List<KeyValuePair<string, GgufValue>> Values, string Template) Metadata(ModelEntry entry)
    {
        using var source = ModelSource.Open(entry.Path);
        var values = source.MetadataKeys.Where(k => k != MetadataKeys.ChatTemplate && source.Metadata.ContainsKey(k))
            .Select(k => new KeyValuePair<string, GgufValue>(k, source.Metadata[k])).ToList();
        string? own = source.TryGet(MetadataKeys.ChatTemplate, out var t) ? t.AsString(MetadataKeys.ChatTemplate) : null;
        return (values, BuiltinTemplates.Choose(own).Source);
    }

    private static void Value(Utf8JsonWriter w, string key, GgufValue v)
    {
        switch (v.Value)
        {
            case string s: w.WriteString(key, s); break;
            case bool b: w.WriteBoolean(key, b); break;
            case float f: w.WriteNumber(key, f); break;
            case double d: w.WriteNumber(key, d); break;
            case ulong u: w.WriteNumber(key, u); break;
            case GgufArray:
                w.WriteStartArray(key);
                w.WriteEndArray();
                break;
            default:
                if (v.IsInteger) w.WriteNumber(key, v.AsInt64(key));
                break;
        }
    }

    /// <summary>A Modelfile that describes the model as served here (FROM names the Weft id, not a path).</summary>
    private static string Modelfile(ModelEntry entry, string template, int context)
    {
        var text = new StringBuilder();
        text.Append("# Modelfile generated by weft serve\n");
        text.Append("FROM ").Append(entry.Id).Append('\n');
        text.Append("TEMPLATE \"\"\"").Append(template).Append("\"\"\"\n");
        if (context > 0) text.Append("PARAMETER num_ctx ").Append(context.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }
}
