// POST /v1/embeddings: per input (a string, or token ids), the mean over its tokens of the final hidden state after
// the output norm, scaled to unit length (llama.cpp's mean pooling with L2 normalisation).
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

internal static class EmbeddingsEndpoints
{
    /// <summary>Most inputs in one request (OpenAI's limit).</summary>
    private const int MaxInputs = 2048;

    public static RouteGroupBuilder MapEmbeddings(this RouteGroupBuilder v1)
    {
        v1.MapPost("/embeddings", async (HttpContext http, ModelPool pool) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string modelId = body.RequiredString("model");
            string format = body.OptionalString("encoding_format") ?? "float";
            if (format is not ("float" or "base64"))
                throw ApiException.BadRequest($"'encoding_format' must be \"float\" or \"base64\", not \"{format}\"", "encoding_format");
            var model = await pool.GetAsync(modelId);
            int width = model.Model.Config.EmbeddingLength;
            if (body.OptionalInteger("dimensions", 1, int.MaxValue) is { } dims && dims != width)
                throw ApiException.BadRequest($"'dimensions' must be {width} for '{modelId}' (its embeddings are not shortened)", "dimensions");
            var inputs = Inputs(body, model);
            var vectors = await model.EmbedAsync(inputs, http.RequestAborted);
            int tokens = inputs.Sum(i => i.Length);
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteString("object", "list");
                w.WriteStartArray("data");
                for (int i = 0; i < vectors.Length; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("object", "embedding");
                    w.WriteNumber("index", i);
                    if (format == "base64")
                        w.WriteBase64String("embedding", MemoryMarshal.AsBytes(vectors[i].AsSpan()));
                    else
                    {
                        w.WriteStartArray("embedding");
                        foreach (float v in vectors[i]) w.WriteNumberValue(v);
                        w.WriteEndArray();
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteString("model", modelId);
                w.WriteStartObject("usage");
                w.WriteNumber("prompt_tokens", tokens);
                w.WriteNumber("total_tokens", tokens);
                w.WriteEndObject();
                w.WriteEndObject();
            });
        });
        return v1;
    }

    /// <summary>The inputs as token ids: a string, an array of strings, an array of token ids, or an array of such arrays.</summary>
    private static List<int[]> Inputs(JsonRequest body, LoadedModel model)
    {
        var input = body.Get("input") ?? throw ApiException.BadRequest("'input' is required", "input");
        List<int[]> result;
        if (input.ValueKind == JsonValueKind.String) result = [Tokenize(model, input.GetString()!)];
        else if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0)
        {
            var items = input.EnumerateArray().ToList();
            if (items.All(i => i.ValueKind == JsonValueKind.Number)) result = [Ids(items, model)];
            else if (items.All(i => i.ValueKind == JsonValueKind.String)) result = [.. items.Select(i => Tokenize(model, i.GetString()!))];
            else if (items.All(i => i.ValueKind == JsonValueKind.Array)) result = [.. items.Select(i => Ids([.. i.EnumerateArray()], model))];
            else throw WrongInput();
        }
        else throw WrongInput();
        if (result.Count > MaxInputs) throw ApiException.BadRequest($"'input' holds {result.Count} inputs; at most {MaxInputs} are allowed", "input");
        foreach (var ids in result)
            if (ids.Length > model.ContextSize)
                throw ApiException.BadRequest($"an input has {ids.Length} tokens but the context of '{model.Entry.Id}' holds {model.ContextSize}; shorten it", "input", "context_length_exceeded");
        return result;
    }

    private static ApiException WrongInput() =>
        JsonRequest.WrongType("input", "a non-empty string, an array of strings, an array of token ids, or an array of token-id arrays");

    private static int[] Ids(List<JsonElement> items, LoadedModel model)
    {
        int vocab = model.Model.Config.VocabSize;
        if (items.Count == 0) throw ApiException.BadRequest("an input holds no tokens", "input");
        return [.. items.Select(i => i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out int t) && t >= 0 && t < vocab
            ? t : throw ApiException.BadRequest($"'input' holds {i.GetRawText()}, not a token id of this model (0 to {vocab - 1})", "input"))];
    }

    internal static int[] Tokenize(LoadedModel model, string text)
    {
        if (text.Length == 0) throw ApiException.BadRequest("an input is an empty string", "input");
        var ids = model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
        return ids.Length > 0 ? ids : throw ApiException.BadRequest("an input has no tokens", "input");
    }
}
