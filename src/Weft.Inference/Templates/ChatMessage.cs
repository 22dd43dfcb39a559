// One chat message as templates see it: a dict with role, content (text, list of parts, or null) and any extra fields.
using System.Text.Json;

namespace Weft.Inference.Templates;

public sealed class ChatMessage
{
    /// <summary>All fields in their original order (role, content, tool_calls, name, …).</summary>
    public DictValue Fields { get; }

    private ChatMessage(DictValue fields) => Fields = fields;

    public string Role => Fields.Get("role") is StringValue s ? s.V : "";

    /// <summary>A message with plain-text content.</summary>
    public static ChatMessage Text(string role, string content)
    {
        var d = new DictValue();
        d.Set("role", Value.Of(role));
        d.Set("content", Value.Of(content));
        return new ChatMessage(d);
    }

    /// <summary>A message with these fields (a "role" string among them).</summary>
    public static ChatMessage FromFields(DictValue fields) => new(fields);

    /// <summary>A message from a JSON object: "role" must be a string; "content" a string, an array of parts, null or absent.</summary>
    public static ChatMessage FromJson(JsonElement e, int index = 0)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new FormatException($"message {index}: expected a JSON object, found {e.ValueKind}");
        if (!e.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
            throw new FormatException($"message {index}: \"role\" must be a string");
        if (e.TryGetProperty("content", out var content) && content.ValueKind is not (JsonValueKind.String or JsonValueKind.Array or JsonValueKind.Null))
            throw new FormatException($"message {index}: \"content\" must be a string, an array of parts or null");
        return new ChatMessage((DictValue)JsonValues.FromJson(e));
    }

    /// <summary>A JSON array of message objects.</summary>
    public static List<ChatMessage> ListFromJson(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array) throw new FormatException($"messages: expected a JSON array of {{role, content}} objects, found {array.ValueKind}");
        return array.EnumerateArray().Select((m, i) => FromJson(m, i)).ToList();
    }

    /// <summary>Parses JSON text holding an array of messages; malformed JSON is a <see cref="FormatException"/>.</summary>
    public static List<ChatMessage> ListFromJson(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return ListFromJson(doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new FormatException($"messages: not valid JSON ({e.Message})", e);
        }
    }
}
