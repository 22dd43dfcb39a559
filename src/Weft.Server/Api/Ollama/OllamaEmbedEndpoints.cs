// POST /api/embed ({"input": text or texts} → "embeddings") and the older POST /api/embeddings ({"prompt"} →
// "embedding"): the vectors /v1/embeddings gives (mean-pooled, unit length), through LoadedModel.EmbedAsync.
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Server.Hosting;

namespace Weft.Server.Api.Ollama;

internal static class OllamaEmbedEndpoints
{
    /// <summary>Most inputs in one request (as on /v1/embeddings).</summary>
    private const int MaxInputs = 2048;

    public static RouteGroupBuilder MapOllamaEmbed(this RouteGroupBuilder api)
    {
        api.MapPost("/embed", async (HttpContext http, ModelPool pool) =>
        {
            var started = Stopwatch.StartNew();
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string name = OllamaProtocol.ModelName(body);
            var texts = Texts(body);
            // Ollama cuts an input over the context to fit unless "truncate": false, which makes it an error
            bool truncate = body.OptionalBool("truncate", true);
            if (body.Get("options") is { ValueKind: not JsonValueKind.Object }) throw JsonRequest.WrongType("options", "an object");
            bool unload = OllamaOptions.UnloadAfter(body);
            var (_, model, load) = await OllamaProtocol.LoadAsync(pool, name);
            var inputs = texts.Select(t => Tokens(model, t, truncate, "input")).ToList();
            var vectors = inputs.Count == 0 ? [] : await model.EmbedAsync(inputs, http.RequestAborted);
            if (unload) await pool.UnloadWhenIdleAsync(model.Entry.Id);
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteString("model", name);
                w.WriteStartArray("embeddings");
                foreach (var v in vectors) Vector(w, null, v);
                w.WriteEndArray();
                w.WriteNumber("total_duration", OllamaProtocol.Nanoseconds(started.Elapsed));
                w.WriteNumber("load_duration", OllamaProtocol.Nanoseconds(load));
                w.WriteNumber("prompt_eval_count", inputs.Sum(i => i.Length));
                w.WriteEndObject();
            });
        });
        api.MapPost("/embeddings", async (HttpContext http, ModelPool pool) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string name = OllamaProtocol.ModelName(body);
            string prompt = body.OptionalString("prompt") ?? "";
            if (body.Get("options") is { ValueKind: not JsonValueKind.Object }) throw JsonRequest.WrongType("options", "an object");
            bool unload = OllamaOptions.UnloadAfter(body);
            var (_, model, _) = await OllamaProtocol.LoadAsync(pool, name);
            // an empty prompt loads the model and answers an empty vector, as Ollama does; a long one is refused (this
            // older endpoint never truncated)
            float[] vector = prompt.Length == 0 ? [] : (await model.EmbedAsync([Tokens(model, prompt, false, "prompt")], http.RequestAborted))[0];
            if (unload) await pool.UnloadWhenIdleAsync(model.Entry.Id);
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                Vector(w, "embedding", vector);
                w.WriteEndObject();
            });
        });
        return api;
    }

    /// <summary>"input": a string or an array of strings; an empty string alone (or an empty array) asks for no vector.</summary>
    private static List<string> Texts(JsonRequest body)
    {
        var input = body.Get("input");
        if (input is null) return [];
        if (input.Value.ValueKind == JsonValueKind.String) return input.Value.GetString() is { Length: > 0 } s ? [s] : [];
        if (input.Value.ValueKind != JsonValueKind.Array || input.Value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw JsonRequest.WrongType("input", "a string or an array of strings");
        var texts = input.Value.EnumerateArray().Select(e => e.GetString()!).ToList();
        if (texts.Count > MaxInputs) throw ApiException.BadRequest($"'input' holds {texts.Count} inputs; at most {MaxInputs} are allowed", "input");
        return texts;
    }

    private static int[] Tokens(LoadedModel model, string text, bool truncate, string field)
    {
        var ids = EmbeddingsEndpoints.Tokenize(model, text);
        if (ids.Length <= model.ContextSize) return ids;
        if (truncate) return ids[..model.ContextSize];
        throw ApiException.BadRequest($"an input has {ids.Length} tokens but the context of '{model.Entry.Id}' holds {model.ContextSize}; shorten it or leave 'truncate' at true", field, "context_length_exceeded");
    }

    private static void Vector(Utf8JsonWriter w, string? name, float[] v)
    {
        if (name == null) w.WriteStartArray(); else w.WriteStartArray(name);
        foreach (float x in v) w.WriteNumberValue(x);
        w.WriteEndArray();
    }
}
