// Reads and checks the `messages` array of a chat request: roles, content as a string or a list of text parts, an
// assistant's tool_calls and a tool result's tool_call_id.
using System.Text.Json;
using Weft.Inference.Templates;

namespace Weft.Server.Api;

internal static class ChatMessages
{
    private static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool"];

    public static IReadOnlyList<ChatMessage> Read(JsonRequest body)
    {
        var m = body.Get("messages") ?? throw ApiException.BadRequest("'messages' is required", "messages");
        if (m.ValueKind != JsonValueKind.Array) throw JsonRequest.WrongType("messages", "an array of messages");
        var list = new List<ChatMessage>();
        int i = 0;
        foreach (var e in m.EnumerateArray())
        {
            string at = $"messages[{i++}]";
            string role = Role(e, at, Roles);
            var calls = role == "assistant" ? ToolCalls(e, at) : null;
            var fields = new DictValue();
            fields.Set("role", Value.Of(role));
            // an assistant message that only calls functions has null content, as OpenAI sends it
            bool nullContent = calls != null && (!e.TryGetProperty("content", out var c) || c.ValueKind == JsonValueKind.Null);
            fields.Set("content", nullContent ? Value.None : Value.Of(Content(e, at)));
            if (calls != null) fields.Set("tool_calls", calls);
            if (role == "tool")
            {
                if (e.TryGetProperty("tool_call_id", out var id) && id.ValueKind != JsonValueKind.Null)
                    fields.Set("tool_call_id", id.ValueKind == JsonValueKind.String ? Value.Of(id.GetString()!) : throw JsonRequest.WrongType(at + ".tool_call_id", "a string"));
            }
            if (e.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String) fields.Set("name", Value.Of(name.GetString()!));
            list.Add(ChatMessage.FromFields(fields));
        }
        if (list.Count == 0) throw ApiException.BadRequest("'messages' must not be empty", "messages");
        return list;
    }

    /// <summary>A message object's role, one of <paramref name="roles"/>; anything else is a 400 naming the field (shared
    /// with Ollama's /api/chat).</summary>
    public static string Role(JsonElement message, string at, IReadOnlyCollection<string> roles)
    {
        if (message.ValueKind != JsonValueKind.Object) throw JsonRequest.WrongType(at, "an object");
        if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
            throw ApiException.BadRequest($"'{at}.role' is required and must be a string", at + ".role");
        string r = role.GetString()!;
        if (!roles.Contains(r))
            throw ApiException.BadRequest($"'{at}.role' is '{r}'; expected one of {string.Join(", ", roles)}", at + ".role");
        return r;
    }

    /// <summary>An assistant message's tool_calls: [{id, type: "function", function: {name, arguments}}], arguments as JSON
    /// text (OpenAI's) or an object (Ollama's); null when absent or empty.</summary>
    public static ListValue? ToolCalls(JsonElement message, string at)
    {
        if (!message.TryGetProperty("tool_calls", out var calls) || calls.ValueKind == JsonValueKind.Null) return null;
        if (calls.ValueKind != JsonValueKind.Array) throw JsonRequest.WrongType(at + ".tool_calls", "an array of calls");
        if (calls.GetArrayLength() == 0) return null;
        var list = new List<Value>();
        int i = 0;
        foreach (var call in calls.EnumerateArray())
        {
            string c = $"{at}.tool_calls[{i}]";
            if (call.ValueKind != JsonValueKind.Object) throw JsonRequest.WrongType(c, "an object");
            if (!call.TryGetProperty("function", out var f) || f.ValueKind != JsonValueKind.Object) throw JsonRequest.WrongType(c + ".function", "an object");
            if (!f.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String) throw JsonRequest.WrongType(c + ".function.name", "a string");
            Value arguments = !f.TryGetProperty("arguments", out var a) || a.ValueKind == JsonValueKind.Null ? Value.Of("{}")
                : a.ValueKind is JsonValueKind.String or JsonValueKind.Object ? JsonValues.FromJson(a)
                : throw JsonRequest.WrongType(c + ".function.arguments", "a string of JSON or an object");
            var function = new DictValue();
            function.Set("name", Value.Of(name.GetString()!));
            function.Set("arguments", arguments);
            var d = new DictValue();
            string id = call.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : $"call{i:D5}"; // nine letters and digits, as Mistral's templates want
            d.Set("id", Value.Of(id));
            d.Set("type", Value.Of("function"));
            d.Set("function", function);
            list.Add(d);
            i++;
        }
        return new ListValue(list);
    }

    private static string Content(JsonElement message, string at)
    {
        if (!message.TryGetProperty("content", out var c) || c.ValueKind == JsonValueKind.Null) return "";
        if (c.ValueKind == JsonValueKind.String) return c.GetString()!;
        if (c.ValueKind != JsonValueKind.Array) throw JsonRequest.WrongType(at + ".content", "a string or an array of content parts");
        var text = new System.Text.StringBuilder();
        foreach (var part in c.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                throw JsonRequest.WrongType(at + ".content", "an array of objects with a 'type'");
            if (type.GetString() != "text")
                throw ApiException.BadRequest($"'{at}.content' has a part of type '{type.GetString()}'; this server reads text parts only", at + ".content");
            if (!part.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
                throw JsonRequest.WrongType(at + ".content[].text", "a string");
            text.Append(t.GetString());
        }
        return text.ToString();
    }
}
