// POST /v1/chat/completions: messages rendered with the model's chat template, answered whole or as server-sent events.
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Inference.Generation;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

internal static class ChatCompletionsEndpoints
{
    public static RouteGroupBuilder MapChatCompletions(this RouteGroupBuilder v1)
    {
        v1.MapPost("/chat/completions", async (HttpContext http, ModelPool pool, ServerMetrics metrics) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string modelId = body.RequiredString("model");
            var messages = ChatMessages.Read(body);
            bool stream = body.OptionalBool("stream", false);
            bool includeUsage = body.StreamIncludesUsage();
            if (body.OptionalBool("logprobs", false))
                throw ApiException.BadRequest("'logprobs' is not supported by this server yet", "logprobs");
            _ = body.OptionalInteger("n", 1, 1); // one choice per request
            var model = await pool.GetAsync(modelId);
            int[] prompt = ChatPrompt.Tokens(model, messages);
            var request = SamplingFields.Request(body, prompt, model.ContextSize);
            string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
            long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

            void Head(Utf8JsonWriter w, string kind)
            {
                w.WriteString("id", id);
                w.WriteString("object", kind);
                w.WriteNumber("created", created);
                w.WriteString("model", modelId);
                w.WriteString("system_fingerprint", "weft");
            }

            if (!stream)
            {
                var r = await GenerationCall.RunAsync(model, request, null, http.RequestAborted);
                metrics.Generated(r);
                await Json.WriteAsync(http.Response, w =>
                {
                    w.WriteStartObject();
                    Head(w, "chat.completion");
                    w.WriteStartArray("choices");
                    w.WriteStartObject();
                    w.WriteNumber("index", 0);
                    w.WriteStartObject("message");
                    w.WriteString("role", "assistant");
                    w.WriteString("content", r.Text);
                    w.WriteEndObject();
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
            void Chunk(Utf8JsonWriter w, string? role, string? content, GenerationResult? end)
            {
                w.WriteStartObject();
                Head(w, "chat.completion.chunk");
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteStartObject("delta");
                if (role != null) w.WriteString("role", role);
                if (content != null) w.WriteString("content", content);
                w.WriteEndObject();
                w.WriteNull("logprobs");
                if (end == null) w.WriteNull("finish_reason"); else w.WriteString("finish_reason", GenerationCall.FinishReasonText(end.Finish));
                w.WriteEndObject();
                w.WriteEndArray();
                if (end != null) Json.Timings(w, end);
                w.WriteEndObject();
            }
            await Json.EventAsync(http.Response, w => Chunk(w, "assistant", "", null));
            var result = await GenerationCall.RunAsync(model, request, text => Json.EventAsync(http.Response, w => Chunk(w, null, text, null)), http.RequestAborted);
            metrics.Generated(result);
            await Json.EventAsync(http.Response, w => Chunk(w, null, null, result));
            if (includeUsage)
            {
                await Json.EventAsync(http.Response, w =>
                {
                    w.WriteStartObject();
                    Head(w, "chat.completion.chunk");
                    w.WriteStartArray("choices");
                    w.WriteEndArray();
                    Json.Usage(w, result);
                    w.WriteEndObject();
                });
            }
            await Json.DoneAsync(http.Response);
        });
        return v1;
    }
}
