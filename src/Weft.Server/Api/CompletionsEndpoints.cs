// POST /v1/completions: text completion of a prompt (a string, or token ids), streamed or not.
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

internal static class CompletionsEndpoints
{
    public static RouteGroupBuilder MapCompletions(this RouteGroupBuilder v1)
    {
        v1.MapPost("/completions", async (HttpContext http, ModelPool pool, ServerMetrics metrics) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string modelId = body.RequiredString("model");
            bool stream = body.OptionalBool("stream", false);
            bool includeUsage = body.StreamIncludesUsage();
            var model = await pool.GetAsync(modelId);
            int[] prompt = Prompt(body, model);
            var request = SamplingFields.Request(body, prompt, model.ContextSize);
            string id = "cmpl-" + Guid.NewGuid().ToString("N");
            long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

            void Head(Utf8JsonWriter w)
            {
                w.WriteString("id", id);
                w.WriteString("object", "text_completion");
                w.WriteNumber("created", created);
                w.WriteString("model", modelId);
            }

            if (!stream)
            {
                var r = await GenerationCall.RunAsync(model, request, null, http.RequestAborted);
                metrics.Generated(r);
                await Json.WriteAsync(http.Response, w =>
                {
                    w.WriteStartObject();
                    Head(w);
                    w.WriteStartArray("choices");
                    w.WriteStartObject();
                    w.WriteString("text", r.Text);
                    w.WriteNumber("index", 0);
                    w.WriteNull("logprobs");
                    w.WriteString("finish_reason", GenerationCall.FinishReasonText(r.Finish));
                    w.WriteEndObject();
                    w.WriteEndArray();
                    Json.Usage(w, r);
                    Json.Timings(w, r);
                    w.WriteEndObject();
                });
                return;
            }

            Json.StartEvents(http.Response);
            void Chunk(Utf8JsonWriter w, string text, string? finish)
            {
                w.WriteStartObject();
                Head(w);
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteString("text", text);
                w.WriteNumber("index", 0);
                w.WriteNull("logprobs");
                if (finish == null) w.WriteNull("finish_reason"); else w.WriteString("finish_reason", finish);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }
            var result = await GenerationCall.RunAsync(model, request, text => Json.EventAsync(http.Response, w => Chunk(w, text, null)), http.RequestAborted);
            metrics.Generated(result);
            await Json.EventAsync(http.Response, w =>
            {
                w.WriteStartObject();
                Head(w);
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteString("text", "");
                w.WriteNumber("index", 0);
                w.WriteNull("logprobs");
                w.WriteString("finish_reason", GenerationCall.FinishReasonText(result.Finish));
                w.WriteEndObject();
                w.WriteEndArray();
                if (includeUsage) Json.Usage(w, result);
                Json.Timings(w, result);
                w.WriteEndObject();
            });
            await Json.DoneAsync(http.Response);
        });
        return v1;
    }

    /// <summary>The prompt as token ids: a string (tokenized with BOS as the model asks), a one-string array, or an id array.</summary>
    private static int[] Prompt(JsonRequest body, LoadedModel model)
    {
        var p = body.Get("prompt") ?? throw ApiException.BadRequest("'prompt' is required", "prompt");
        if (p.ValueKind == JsonValueKind.String) return Tokenize(model, p.GetString()!);
        if (p.ValueKind == JsonValueKind.Array)
        {
            var items = p.EnumerateArray().ToList();
            if (items.Count == 1 && items[0].ValueKind == JsonValueKind.String) return Tokenize(model, items[0].GetString()!);
            if (items.Count > 0 && items.All(i => i.ValueKind == JsonValueKind.Number))
            {
                int vocab = model.Model.Config.VocabSize;
                return [.. items.Select(i => i.TryGetInt32(out int t) && t >= 0 && t < vocab
                    ? t : throw ApiException.BadRequest($"'prompt' holds {i.GetRawText()}, not a token id of this model (0 to {vocab - 1})", "prompt"))];
            }
        }
        throw JsonRequest.WrongType("prompt", "a string, an array of one string, or an array of token ids");
    }

    private static int[] Tokenize(LoadedModel model, string text)
    {
        var ids = model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
        return ids.Length > 0 ? ids : throw ApiException.BadRequest("'prompt' is empty", "prompt");
    }
}
