// The input of POST /v1/responses as chat messages: "instructions" first as a system message, then "input" — a string
// (one user message) or a list of message items ({role, content} with content a string or input_text/output_text parts).
using System.Text;
using System.Text.Json;
using Weft.Inference.Templates;

namespace Weft.Server.Api.Responses;

internal static class ResponsesInput
{
    private static readonly string[] Roles = ["system", "developer", "user", "assistant"];

    public static List<ChatMessage> Read(JsonRequest body)
    {
        var messages = new List<ChatMessage>();
        if (body.OptionalString("instructions") is { Length: > 0 } instructions) messages.Add(ChatMessage.Text("system", instructions));
        var input = body.Get("input") ?? throw ApiException.BadRequest("'input' is required", "input");
        if (input.ValueKind == JsonValueKind.String)
        {
            messages.Add(ChatMessage.Text("user", input.GetString()!));
            return messages;
        }
        if (input.ValueKind != JsonValueKind.Array) throw JsonRequest.WrongType("input", "a string or an array of input items");
        int i = 0;
        foreach (var item in input.EnumerateArray())
        {
            string at = $"input[{i++}]";
            if (item.ValueKind != JsonValueKind.Object) throw JsonRequest.WrongType(at, "an input item object");
            string type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "message";
            if (type != "message")
                throw ApiException.BadRequest($"'{at}.type' is '{type}'; this server reads message items only", at + ".type");
            string role = ChatMessages.Role(item, at, Roles);
            messages.Add(ChatMessage.Text(role, Content(item, at)));
        }
        if (messages.Count == 0) throw ApiException.BadRequest("'input' must not be empty", "input");
        return messages;
    }

    /// <summary>A string, or text parts (input_text, output_text, text); other parts (images, files) are refused.</summary>
    private static string Content(JsonElement item, string at)
    {
        if (!item.TryGetProperty("content", out var c) || c.ValueKind == JsonValueKind.Null)
            throw ApiException.BadRequest($"'{at}.content' is required", at + ".content");
        if (c.ValueKind == JsonValueKind.String) return c.GetString()!;
        if (c.ValueKind != JsonValueKind.Array) throw JsonRequest.WrongType(at + ".content", "a string or an array of content parts");
        var text = new StringBuilder();
        int k = 0;
        foreach (var part in c.EnumerateArray())
        {
            string pat = $"{at}.content[{k++}]";
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                throw JsonRequest.WrongType(pat, "a content part with a 'type'");
            if (type.GetString() is not ("input_text" or "output_text" or "text"))
                throw ApiException.BadRequest($"'{pat}' is of type '{type.GetString()}'; this server reads text parts only", pat + ".type");
            if (!part.TryGetProperty("text", out var tx) || tx.ValueKind != JsonValueKind.String) throw JsonRequest.WrongType(pat + ".text", "a string");
            text.Append(tx.GetString());
        }
        return text.ToString();
    }
}
