// POST /v1/chat/completions: messages rendered with the model's chat template, answered whole or as server-sent events.
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Inference.Generation;
using Weft.Inference.Tools;
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
            var tools = ToolFields.Read(body);
            bool stream = body.OptionalBool("stream", false);
            bool includeUsage = body.StreamIncludesUsage();
            int? logProbabilities = LogProbabilities(body);
            int n = ChoiceCount.Read(body);
            var model = await pool.GetAsync(modelId);
            var plan = ToolPlan.For(model, tools);
            var request = WeftFields.CompletionRequest(body, model, () => ChatPrompt.Tokens(model, messages, plan), logProbabilities);
            if (plan?.Grammar is { } call) request = request with { Grammar = call }; // a forced call is all the answer holds
            string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
            var choices = Enumerable.Range(0, n).Select(k => new ChatResponder(id, modelId, model.Tokenizer, plan) { Index = k }).ToArray();
            await CompletionResponder.RespondAsync(http, model, choices, ChoiceCount.Requests(request, n), stream, includeUsage, metrics);
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

    /// <summary>Chat choices: "message" or "delta" (with tool_calls when the request has tools), and logprobs as
    /// {"content": [{token, logprob, bytes, top_logprobs}]}.</summary>
    internal sealed class ChatResponder(string id, string modelId, Tokenizer tokenizer, ToolPlan? tools = null) : CompletionResponder(id, modelId, tokenizer)
    {
        private readonly ToolCallStream? _stream = tools?.Stream();
        private bool _prefilled;
        private bool _called;

        protected override string WholeObject => "chat.completion";
        protected override string ChunkObject => "chat.completion.chunk";
        protected override bool OpeningChunk => true;

        protected override void HeadExtras(Utf8JsonWriter w) => w.WriteString("system_fingerprint", "weft");

        protected override ChoicePart Whole(GenerationResult r)
        {
            if (tools == null) return base.Whole(r);
            var answer = tools.Read(r.Text);
            _called = answer.Calls.Count > 0;
            return new ChoicePart(false, false, _called && answer.Content.Length == 0 ? null : answer.Content, r.Probabilities, answer.Calls);
        }

        protected override IReadOnlyList<ChoicePart> Pieces(string text)
        {
            if (_stream == null) return base.Pieces(text);
            if (!_prefilled)
            {
                text = tools!.Prefill + text;
                _prefilled = true;
            }
            return Parts(_stream.Push(text));
        }

        protected override IReadOnlyList<ChoicePart> StreamEnd()
        {
            if (_stream == null) return [];
            // a prefill that is the whole call (a function without parameters) leaves the model nothing to write
            var parts = _prefilled ? [] : Pieces("");
            return [.. parts, .. Parts(_stream.Complete())];
        }

        private List<ChoicePart> Parts(ToolStreamStep step)
        {
            var parts = new List<ChoicePart>();
            if (step.Content.Length > 0) parts.Add(new ChoicePart(true, false, step.Content, null));
            if (step.Calls.Count > 0)
            {
                _called = true;
                // a call's first delta and its first arguments in one entry, as OpenAI streams them
                var merged = new List<ToolCallDelta>();
                foreach (var d in step.Calls)
                    if (merged.Count > 0 && merged[^1].Index == d.Index && d.Id == null) merged[^1] = merged[^1] with { Arguments = merged[^1].Arguments + d.Arguments };
                    else merged.Add(d);
                parts.Add(new ChoicePart(true, false, null, null, CallDeltas: merged));
            }
            return parts;
        }

        protected override string FinishReason(GenerationResult r) => _called ? "tool_calls" : base.FinishReason(r);

        protected override void Choice(Utf8JsonWriter w, ChoicePart part)
        {
            w.WriteStartObject(part.Streamed ? "delta" : "message");
            if (!part.Streamed || part.First) w.WriteString("role", "assistant");
            if (part.Text != null) w.WriteString("content", part.Text);
            else if (part.Calls is { Count: > 0 }) w.WriteNull("content");
            if (part.Calls is { Count: > 0 } calls)
            {
                w.WriteStartArray("tool_calls");
                foreach (var c in calls)
                {
                    w.WriteStartObject();
                    w.WriteString("id", c.Id);
                    w.WriteString("type", "function");
                    w.WriteStartObject("function");
                    w.WriteString("name", c.Name);
                    w.WriteString("arguments", c.Arguments);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (part.CallDeltas is { Count: > 0 } deltas)
            {
                w.WriteStartArray("tool_calls");
                foreach (var d in deltas)
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", d.Index);
                    if (d.Id != null)
                    {
                        w.WriteString("id", d.Id);
                        w.WriteString("type", "function");
                    }
                    w.WriteStartObject("function");
                    if (d.Name != null) w.WriteString("name", d.Name);
                    w.WriteString("arguments", d.Arguments);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
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
