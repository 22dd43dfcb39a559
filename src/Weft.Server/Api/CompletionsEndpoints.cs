// POST /v1/completions: text completion of prompts (strings, or token ids), streamed or not; with echo the prompt's
// own log-probabilities (what lm-evaluation-harness scores with).
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Server.Hosting;
using Weft.Tokenizers;

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
            // the legacy field: how many alternatives to report per token (the chosen token's is always reported)
            int? logProbabilities = (int?)body.OptionalInteger("logprobs", 0, MaxLogProbabilities);
            bool echo = body.OptionalBool("echo", false);
            int n = ChoiceCount.Read(body);
            var model = await pool.GetAsync(modelId);
            var prompts = CompletionPrompts.Read(body, model);
            if (prompts.Count > 1 || echo || SamplingFields.MaxTokens(body, 1) == 0)
            {
                if (n > 1) throw ApiException.BadRequest("'n' above 1 is supported for one prompt without 'echo' and with 'max_tokens' above 0", "n");
                // several prompts, the prompt's own log-probabilities, or no generation: answered whole, one choice per prompt
                if (stream) throw ApiException.BadRequest("'stream' is not supported with several prompts, 'echo' or 'max_tokens': 0", "stream");
                await EchoCompletion.RespondAsync(http, model, modelId, body, prompts, echo, logProbabilities, metrics);
                return;
            }
            var request = WeftFields.CompletionRequest(body, model, () => prompts[0].Ids, logProbabilities);
            string id = "cmpl-" + Guid.NewGuid().ToString("N");
            var choices = Enumerable.Range(0, n).Select(k => new TextResponder(id, modelId, model.Tokenizer) { Index = k }).ToArray();
            await CompletionResponder.RespondAsync(http, model, choices, ChoiceCount.Requests(request, n), stream, includeUsage, metrics);
        });
        return v1;
    }

    /// <summary>OpenAI's largest legacy logprobs.</summary>
    public const int MaxLogProbabilities = 20;

    /// <summary>
    /// Text choices: "text", and logprobs in the legacy shape {tokens, token_logprobs, top_logprobs: [{piece: logprob}],
    /// text_offset}. Each top_logprobs entry holds the most likely pieces and the chosen one (one key per piece text:
    /// of tokens with the same text the more likely is kept). text_offset counts UTF-16 characters from the start of
    /// the generated text, continuing across the chunks of a stream.
    /// </summary>
    private sealed class TextResponder(string id, string modelId, Tokenizer tokenizer) : CompletionResponder(id, modelId, tokenizer)
    {
        private int _offset;

        protected override string WholeObject => "text_completion";
        protected override string ChunkObject => "text_completion";

        protected override void Choice(Utf8JsonWriter w, ChoicePart part)
        {
            w.WriteString("text", part.Text ?? "");
            if (part.Probabilities is not { } probabilities)
            {
                w.WriteNull("logprobs");
                return;
            }
            var pieces = probabilities.Select(p => TokenPiece(p.Token).Text).ToArray();
            w.WriteStartObject("logprobs");
            w.WriteStartArray("tokens");
            foreach (string piece in pieces) w.WriteStringValue(piece);
            w.WriteEndArray();
            w.WriteStartArray("token_logprobs");
            foreach (var p in probabilities) w.WriteNumberValue(p.LogProbability);
            w.WriteEndArray();
            w.WriteStartArray("top_logprobs");
            foreach (var p in probabilities)
            {
                w.WriteStartObject();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var t in p.Top)
                    if (seen.Add(TokenPiece(t.Id).Text)) w.WriteNumber(TokenPiece(t.Id).Text, t.LogProbability);
                string chosen = TokenPiece(p.Token).Text;
                if (seen.Add(chosen)) w.WriteNumber(chosen, p.LogProbability);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("text_offset");
            foreach (string piece in pieces)
            {
                w.WriteNumberValue(_offset);
                _offset += piece.Length;
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
    }
}
