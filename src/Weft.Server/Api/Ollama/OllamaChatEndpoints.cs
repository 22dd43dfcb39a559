// POST /api/chat: Ollama's chat, rendered with the model's chat template (as /v1/chat/completions renders it) and
// streamed as NDJSON by default.
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Inference.Templates;
using Weft.Server.Hosting;

namespace Weft.Server.Api.Ollama;

internal static class OllamaChatEndpoints
{
    private static readonly string[] Roles = ["system", "user", "assistant", "tool"];

    public static RouteGroupBuilder MapOllamaChat(this RouteGroupBuilder api)
    {
        api.MapPost("/chat", async (HttpContext http, ModelPool pool, ServerMetrics metrics) =>
        {
            var started = Stopwatch.StartNew();
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string name = OllamaProtocol.ModelName(body);
            OllamaOptions.RefuseUnsupported(body);
            var messages = Messages(body);
            bool stream = OllamaOptions.Stream(body);
            bool unload = OllamaOptions.UnloadAfter(body);
            var (_, model, load) = await OllamaProtocol.LoadAsync(pool, name);
            var answer = new OllamaAnswer(name, started, load, Message);
            if (messages.Count == 0)
            {
                // no messages: Ollama's way to load (or, with keep_alive 0, unload) a model
                await answer.RespondEmptyAsync(http, pool, model, unload);
                return;
            }
            var request = OllamaOptions.Request(body, model, ChatPrompt.Tokens(model, messages));
            await answer.RespondAsync(http, pool, model, request, stream, unload, metrics);
        });
        return api;
    }

    private static void Message(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        w.WriteString("content", text);
        w.WriteEndObject();
    }

    /// <summary>Ollama's messages: role, content (a string), and no images or tool calls (refused, naming the field).</summary>
    private static List<ChatMessage> Messages(JsonRequest body)
    {
        if (body.Get("messages") is not { } m) return [];
        if (m.ValueKind != JsonValueKind.Array) throw JsonRequest.WrongType("messages", "an array of messages");
        var list = new List<ChatMessage>();
        int i = 0;
        foreach (var e in m.EnumerateArray())
        {
            string at = $"messages[{i++}]";
            string r = ChatMessages.Role(e, at, Roles);
            OllamaOptions.RefuseImages(e.TryGetProperty("images", out var images) && images.ValueKind != JsonValueKind.Null ? images : null, at + ".images");
            if (e.TryGetProperty("tool_calls", out var calls) && !(calls.ValueKind == JsonValueKind.Null || (calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() == 0)))
                throw ApiException.BadRequest($"'{at}.tool_calls' is not supported: this server has no tool calling yet", at + ".tool_calls");
            string content = "";
            if (e.TryGetProperty("content", out var c) && c.ValueKind != JsonValueKind.Null)
                content = c.ValueKind == JsonValueKind.String ? c.GetString()! : throw JsonRequest.WrongType(at + ".content", "a string");
            list.Add(ChatMessage.Text(r, content));
        }
        return list;
    }
}
