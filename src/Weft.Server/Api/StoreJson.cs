// Reading and writing the JSON of the chat page's /api endpoints: bounded fields, present-but-null, row shapes.
using System.Text.Json;
using Weft.Server.Storage;

namespace Weft.Server.Api;

internal static class StoreJson
{
    public const int MaxTitle = 200;
    public const int MaxName = 100;
    public const int MaxModel = 500;
    public const int MaxPrompt = 100_000;

    /// <summary>True when the field is in the body, even as null (PATCH: null clears).</summary>
    public static bool IsPresent(JsonRequest r, string name) => r.Root.TryGetProperty(name, out _);

    public static string? BoundedString(JsonRequest r, string name, int max)
    {
        string? s = r.OptionalString(name);
        if (s != null && s.Length > max) throw ApiException.BadRequest($"'{name}' may hold at most {max} characters; got {s.Length}", name);
        return s;
    }

    /// <summary>A trimmed, non-empty name or title, when present.</summary>
    public static string? Label(JsonRequest r, string name, int max)
    {
        string? s = BoundedString(r, name, max)?.Trim();
        if (s is { Length: 0 } || (s == null && IsPresent(r, name))) throw ApiException.BadRequest($"'{name}' must not be empty", name);
        return s;
    }

    public static ApiException NotFound(string kind, string id) =>
        new(404, $"the {kind} '{id}' does not exist", code: "not_found");

    public static ApiException MissingReference(MissingReferenceException e) =>
        new(400, e.Message, param: e.Field, code: "not_found");

    public static void Conversation(Utf8JsonWriter w, Conversation c, IReadOnlyList<StoredMessage>? messages = null)
    {
        w.WriteStartObject();
        w.WriteString("id", c.Id);
        w.WriteString("object", "conversation");
        w.WriteString("title", c.Title);
        NullableString(w, "model", c.Model);
        w.WriteString("system_prompt", c.SystemPrompt);
        NullableString(w, "assistant_id", c.AssistantId);
        w.WriteNumber("created", c.Created);
        w.WriteNumber("updated", c.Updated);
        if (messages != null)
        {
            w.WriteStartArray("messages");
            foreach (var m in messages) Message(w, m);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    public static void Message(Utf8JsonWriter w, StoredMessage m)
    {
        w.WriteStartObject();
        w.WriteNumber("id", m.Id);
        w.WriteString("object", "conversation.message");
        w.WriteString("role", m.Role);
        w.WriteString("content", m.Content);
        if (m.TokensPerSecond is double t) w.WriteNumber("tokens_per_second", t); else w.WriteNull("tokens_per_second");
        w.WriteNumber("created", m.Created);
        w.WriteEndObject();
    }

    public static void Assistant(Utf8JsonWriter w, Assistant a)
    {
        w.WriteStartObject();
        w.WriteString("id", a.Id);
        w.WriteString("object", "assistant");
        w.WriteString("name", a.Name);
        w.WriteString("system_prompt", a.SystemPrompt);
        NullableString(w, "model", a.Model);
        if (a.Temperature is double t) w.WriteNumber("temperature", t); else w.WriteNull("temperature");
        if (a.TopP is double p) w.WriteNumber("top_p", p); else w.WriteNull("top_p");
        if (a.MaxTokens is int n) w.WriteNumber("max_tokens", n); else w.WriteNull("max_tokens");
        w.WriteNumber("created", a.Created);
        w.WriteNumber("updated", a.Updated);
        w.WriteEndObject();
    }

    public static void List<T>(Utf8JsonWriter w, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var item in items) write(w, item);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void Deleted(Utf8JsonWriter w, string id, string kind)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", kind + ".deleted");
        w.WriteBoolean("deleted", true);
        w.WriteEndObject();
    }

    private static void NullableString(Utf8JsonWriter w, string name, string? value)
    {
        if (value == null) w.WriteNull(name); else w.WriteString(name, value);
    }
}
