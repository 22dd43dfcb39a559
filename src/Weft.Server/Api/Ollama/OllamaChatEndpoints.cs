// POST /api/chat: Ollama's chat, rendered with the model's chat template (as /v1/chat/completions renders it) and
// streamed as NDJSON by default.
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Inference.Templates;
using Weft.Inference.Tools;
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
            var tools = ToolFields.Read(body);
            bool stream = OllamaOptions.Stream(body);
            bool unload = OllamaOptions.UnloadAfter(body);
            var (_, model, load) = await OllamaProtocol.LoadAsync(pool, name);
            var plan = messages.Count == 0 ? null : ToolPlan.For(model, tools);
            var answer = new OllamaAnswer(name, started, load, Message, plan);
            if (messages.Count == 0)
            {
                // no messages: Ollama's way to load (or, with keep_alive 0, unload) a model
                await answer.RespondEmptyAsync(http, pool, model, unload);
                return;
            }
            var request = OllamaOptions.Request(body, model, ChatPrompt.Tokens(model, messages, plan));
            await answer.RespondAsync(http, pool, model, request, stream, unload, metrics);
        });
        return api;
    }

    /// <summary>The message of a line: tool_calls as Ollama writes them, [{function: {name, arguments}}] with the
    /// arguments as an object (as text only when the model's arguments are not a JSON object).</summary>
    private static void Message(Utf8JsonWriter w, string text, IReadOnlyList<ToolCall>? calls)
    {
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        w.WriteString("content", text);
        if (calls is { Count: > 0 })
        {
            w.WriteStartArray("tool_calls");
            foreach (var c in calls)
            {
                w.WriteStartObject();
                w.WriteStartObject("function");
                w.WriteString("name", c.Name);
                w.WritePropertyName("arguments");
                try
                {
                    using var args = JsonDocument.Parse(c.Arguments);
                    if (args.RootElement.ValueKind == JsonValueKind.Object) args.RootElement.WriteTo(w);
                    else w.WriteStringValue(c.Arguments);
                }
                catch (JsonException)
                {
                    w.WriteStringValue(c.Arguments);
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>Ollama's messages: role, content (a string), an assistant's tool_calls (arguments as objects), a tool
    /// result's tool_name; images are refused, naming the field.</summary>
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
            var calls = r == "assistant" ? ChatMessages.ToolCalls(e, at) : null;
            string content = "";
            if (e.TryGetProperty("content", out var c) && c.ValueKind != JsonValueKind.Null)
                content = c.ValueKind == JsonValueKind.String ? c.GetString()! : throw JsonRequest.WrongType(at + ".content", "a string");
            if (calls == null && !(r == "tool" && e.TryGetProperty("tool_name", out _)))
            {
                list.Add(ChatMessage.Text(r, content));
                continue;
            }
            var fields = new DictValue();
            fields.Set("role", Value.Of(r));
            fields.Set("content", calls != null && content.Length == 0 ? Value.None : Value.Of(content));
            if (calls != null) fields.Set("tool_calls", calls);
            if (e.TryGetProperty("tool_name", out var tn) && tn.ValueKind == JsonValueKind.String) fields.Set("name", Value.Of(tn.GetString()!));
            list.Add(ChatMessage.FromFields(fields));
        }
        return list;
    }
}
