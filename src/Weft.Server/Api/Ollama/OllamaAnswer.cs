// The answer of /api/chat and /api/generate: one JSON object, or NDJSON lines (one per piece of text) ending in a line
// with done: true, done_reason and the counts and nanosecond durations; generated through GenerationCall, as on /v1.
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Weft.Inference.Generation;
using Weft.Inference.Tools;
using Weft.Server.Hosting;

namespace Weft.Server.Api.Ollama;

/// <param name="Name">the model's name as the request gave it (Ollama echoes it)</param>
/// <param name="Started">since the handler began (total_duration)</param>
/// <param name="Load">the time spent loading the model, or waiting for it (load_duration)</param>
/// <param name="Content">writes the text field of one line: chat's "message" (with its tool_calls), generate's "response"</param>
/// <param name="Tools">chat with tools: the answer read into content and calls</param>
internal sealed record OllamaAnswer(string Name, Stopwatch Started, TimeSpan Load, Action<Utf8JsonWriter, string, IReadOnlyList<ToolCall>?> Content, ToolPlan? Tools = null)
{
    /// <summary>Generates and answers; with <paramref name="unloadAfter"/> (keep_alive 0) the model is unloaded once idle.</summary>
    public async Task RespondAsync(HttpContext http, ModelPool pool, LoadedModel model, GenerationRequest request, bool stream, bool unloadAfter, ServerMetrics metrics)
    {
        if (request.ContextSize is int n && request.Prompt.Count > n)
            throw ApiException.BadRequest($"the prompt has {request.Prompt.Count} tokens but this request's context ('options.num_ctx') holds {n}; shorten it or ask for more (at most {model.ContextSize})",
                "options.num_ctx", "context_length_exceeded");
        GenerationResult result;
        if (!stream)
        {
            result = await GenerationCall.RunAsync(model, request, null, http.RequestAborted);
            metrics.Generated(result);
            var answer = Tools?.Read(result.Text);
            await Json.WriteAsync(http.Response, w => Line(w, answer?.Content ?? result.Text, result, answer?.Calls));
        }
        else
        {
            GenerationCall.CheckFits(model, request); // a prompt over the context gets its 400 before the stream starts
            OllamaProtocol.StartLines(http.Response);
            var toolStream = Tools?.Stream();
            // Ollama sends calls whole, in a line of their own once the answer is done
            var calls = new List<(string Id, string Name, System.Text.StringBuilder Arguments)>();
            string Shown(ToolStreamStep step)
            {
                foreach (var d in step.Calls)
                {
                    if (d.Id != null) calls.Add((d.Id, d.Name!, new System.Text.StringBuilder()));
                    calls[d.Index].Arguments.Append(d.Arguments);
                }
                return step.Content;
            }
            string pending = toolStream != null ? Shown(toolStream.Push(Tools!.Prefill)) : "";
            result = await GenerationCall.RunAsync(model, request, piece =>
            {
                string text = pending + (toolStream != null ? Shown(toolStream.Push(piece.Text)) : piece.Text);
                pending = "";
                return text.Length == 0 ? Task.CompletedTask : OllamaProtocol.LineAsync(http.Response, w => Line(w, text, null));
            }, http.RequestAborted);
            metrics.Generated(result);
            if (toolStream != null)
            {
                string rest = pending + Shown(toolStream.Complete());
                if (rest.Length > 0 || calls.Count > 0)
                {
                    var whole = calls.Select(c => new ToolCall(c.Id, c.Name, c.Arguments.ToString())).ToList();
                    await OllamaProtocol.LineAsync(http.Response, w => Line(w, rest, null, whole));
                }
            }
            await OllamaProtocol.LineAsync(http.Response, w => Line(w, "", result));
        }
        if (unloadAfter) await pool.UnloadWhenIdleAsync(model.Entry.Id);
    }

    /// <summary>The answer to a request with nothing to generate (Ollama's way to load or unload a model): done at once,
    /// done_reason "load" or "unload".</summary>
    public async Task RespondEmptyAsync(HttpContext http, ModelPool pool, LoadedModel model, bool unload)
    {
        if (unload) await pool.UnloadWhenIdleAsync(model.Entry.Id);
        await Json.WriteAsync(http.Response, w =>
        {
            w.WriteStartObject();
            Head(w);
            Content(w, "", null);
            w.WriteBoolean("done", true);
            w.WriteString("done_reason", unload ? "unload" : "load");
            w.WriteEndObject();
        });
    }

    private void Head(Utf8JsonWriter w)
    {
        w.WriteString("model", Name);
        w.WriteString("created_at", OllamaProtocol.Time(DateTime.UtcNow));
    }

    /// <summary>One line; <paramref name="end"/> given: the last, with the statistics. Ollama's deprecated "context"
    /// (the conversation's tokens, to send back to /api/generate) is left out.</summary>
    private void Line(Utf8JsonWriter w, string text, GenerationResult? end, IReadOnlyList<ToolCall>? calls = null)
    {
        w.WriteStartObject();
        Head(w);
        Content(w, text, calls);
        w.WriteBoolean("done", end != null);
        if (end != null)
        {
            w.WriteString("done_reason", GenerationCall.FinishReasonText(end.Finish));
            w.WriteNumber("total_duration", OllamaProtocol.Nanoseconds(Started.Elapsed));
            w.WriteNumber("load_duration", OllamaProtocol.Nanoseconds(Load));
            w.WriteNumber("prompt_eval_count", end.PromptTokens);
            w.WriteNumber("prompt_eval_duration", OllamaProtocol.Nanoseconds(end.PromptTime));
            w.WriteNumber("eval_count", end.Tokens.Count);
            w.WriteNumber("eval_duration", OllamaProtocol.Nanoseconds(end.GenerationTime));
        }
        w.WriteEndObject();
    }
}
