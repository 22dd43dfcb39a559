// POST /v1/chat/completions: messages rendered with the model's chat template, answered whole or as server-sent events.
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Server.Hosting;
using Weft.Tokenizers;

namespace Weft.Server.Api;

internal static class ChatCompletionsEndpoints
{
    /// <summary>OpenAI's largest top_logprobs.</summary>
    public const int MaxTopLogProbabilities = 20;

    public static RouteGroupBuilder MapChatCompletions(this RouteGroupBuilder v1)
    {
        v1.MapPost("/chat/completions", async (HttpContext http, ModelPool pool, ServerMetrics metrics) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string modelId = body.RequiredString("model");
            var messages = ChatMessages.Read(body);
            bool stream = body.OptionalBool("stream", false);
            bool includeUsage = body.StreamIncludesUsage();
            int? logProbabilities = LogProbabilities(body);
            _ = body.OptionalInteger("n", 1, 1); // one choice per request
            var model = await pool.GetAsync(modelId);
            var request = WeftFields.CompletionRequest(body, model, () => ChatPrompt.Tokens(model, messages), logProbabilities);
            var responder = new ChatResponder("chatcmpl-" + Guid.NewGuid().ToString("N"), modelId, model.Tokenizer);
            await responder.RespondAsync(http, model, request, stream, includeUsage, metrics);
        });
        return v1;
    }

    /// <summary>logprobs (a boolean) and top_logprobs (0 to 20, only with logprobs): alternatives to report per token, or null.</summary>
    private static int? LogProbabilities(JsonRequest body)
    {
        bool wanted = body.OptionalBool("logprobs", false);
        long? top = body.OptionalInteger("top_logprobs", 0, MaxTopLogProbabilities);
        if (top != null && !wanted)
            throw ApiException.BadRequest("'top_logprobs' needs 'logprobs': true", "top_logprobs");
        return wanted ? (int)(top ?? 0) : null;
    }

    /// <summary>Chat choices: "message" or "delta", and logprobs as {"content": [{token, logprob, bytes, top_logprobs}]}.</summary>
    internal sealed class ChatResponder(string id, string modelId, Tokenizer tokenizer) : CompletionResponder(id, modelId, tokenizer)
    {
        protected override string WholeObject => "chat.completion";
        protected override string ChunkObject => "chat.completion.chunk";
        protected override bool OpeningChunk => true;

        protected override void HeadExtras(Utf8JsonWriter w) => w.WriteString("system_fingerprint", "weft");

        protected override void Choice(Utf8JsonWriter w, ChoicePart part)
        {
            w.WriteStartObject(part.Streamed ? "delta" : "message");
            if (!part.Streamed || part.First) w.WriteString("role", "assistant");
            if (part.Text != null) w.WriteString("content", part.Text);
            w.WriteEndObject();
            if (part.Probabilities == null)
            {
                w.WriteNull("logprobs");
                return;
            }
            w.WriteStartObject("logprobs");
            w.WriteStartArray("content");
            foreach (var p in part.Probabilities)
            {
                w.WriteStartObject();
                Token(w, p.Token, p.LogProbability);
                w.WriteStartArray("top_logprobs");
                foreach (var t in p.Top)
                {
                    w.WriteStartObject();
                    Token(w, t.Id, t.LogProbability);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private void Token(Utf8JsonWriter w, int token, float logProbability)
        {
            var (text, bytes) = TokenPiece(token);
            w.WriteString("token", text);
            w.WriteNumber("logprob", logProbability);
            w.WriteStartArray("bytes");
            foreach (byte b in bytes) w.WriteNumberValue(b);
            w.WriteEndArray();
        }
    }
}
