// POST /tokenize, POST /detokenize, GET /tokenizer_info: a model's tokenizer over HTTP, in vLLM's shapes (llama-server's
// "content" also accepted), as lm-evaluation-harness's local-completions back end asks for them.
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

internal static class TokenizerEndpoints
{
    public static RouteGroupBuilder MapTokenizer(this RouteGroupBuilder root)
    {
        root.MapPost("/tokenize", async (HttpContext http, ModelPool pool) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            var model = await ModelOf(pool, body.OptionalString("model"));
            string text = body.OptionalString("prompt") ?? body.OptionalString("content")
                ?? throw ApiException.BadRequest("'prompt' (or 'content') is required", "prompt");
            bool special = body.OptionalBool("add_special_tokens", true);
            var ids = model.Tokenizer.Encode(text, addSpecial: special, parseSpecial: true);
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("tokens");
                foreach (int id in ids) w.WriteNumberValue(id);
                w.WriteEndArray();
                w.WriteNumber("count", ids.Length);
                w.WriteNumber("max_model_len", model.ContextSize);
                w.WriteEndObject();
            });
        });
        root.MapPost("/detokenize", async (HttpContext http, ModelPool pool) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            var model = await ModelOf(pool, body.OptionalString("model"));
            var ids = Ids(body, model);
            string text = model.Tokenizer.Decode(ids);
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteString("prompt", text);
                w.WriteString("content", text);
                w.WriteEndObject();
            });
        });
        root.MapGet("/tokenizer_info", async (HttpContext http, ModelPool pool) =>
        {
            var model = await ModelOf(pool, http.Request.Query["model"].FirstOrDefault());
            var t = model.Tokenizer;
            string? Text(int id) => id >= 0 && id < t.VocabSize ? t.TokenText(id) : null;
            var formatter = model.Formatter;
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteString("tokenizer_class", t.Kind.ToString());
                WriteToken(w, "bos_token", Text(t.Bos));
                WriteToken(w, "eos_token", Text(t.Eos));
                WriteToken(w, "pad_token", Text(t.Pad));
                w.WriteNumber("bos_token_id", t.Bos);
                w.WriteNumber("eos_token_id", t.Eos);
                w.WriteBoolean("add_bos_token", t.AddBos);
                w.WriteBoolean("add_eos_token", t.AddEos);
                w.WriteNumber("vocab_size", t.VocabSize);
                w.WriteNumber("model_max_length", model.ContextSize);
                if (model.Model.File.TryGet(Weft.Models.MetadataKeys.ChatTemplate, out var v))
                    w.WriteString("chat_template", v.AsString(Weft.Models.MetadataKeys.ChatTemplate));
                else w.WriteString("chat_template_source", formatter.TemplateSource);
                w.WriteEndObject();
            });
        });
        return root;
    }

    private static void WriteToken(Utf8JsonWriter w, string name, string? text)
    {
        if (text == null) w.WriteNull(name); else w.WriteString(name, text);
    }

    /// <summary>The named model; with no name, the only model of the folder.</summary>
    private static Task<LoadedModel> ModelOf(ModelPool pool, string? id)
    {
        if (id != null) return pool.GetAsync(id);
        var usable = pool.Catalog.List().Where(e => e.Problem == null).ToList();
        return usable.Count == 1 ? pool.GetAsync(usable[0].Id)
            : throw ApiException.BadRequest($"'model' is required: this server has {usable.Count} models (GET /v1/models lists them)", "model");
    }

    private static int[] Ids(JsonRequest body, LoadedModel model)
    {
        var tokens = body.Get("tokens") ?? throw ApiException.BadRequest("'tokens' is required", "tokens");
        if (tokens.ValueKind != JsonValueKind.Array) throw JsonRequest.WrongType("tokens", "an array of token ids");
        int vocab = model.Model.Config.VocabSize;
        return [.. tokens.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out int t) && t >= 0 && t < vocab
            ? t : throw ApiException.BadRequest($"'tokens' holds {i.GetRawText()}, not a token id of this model (0 to {vocab - 1})", "tokens"))];
    }
}
