// Reads and checks the `messages` array of a chat request: roles, and content as a string or a list of text parts.
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
            list.Add(ChatMessage.Text(Role(e, at, Roles), Content(e, at)));
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
