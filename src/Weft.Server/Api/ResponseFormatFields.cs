// Structured output fields → a compiled grammar: OpenAI's "response_format" (text, json_object, json_schema),
// llama-server's "grammar" (GBNF) and "json_schema", Ollama's "format" ("json" or a schema). Compiled grammars are
// kept by their text, so a client repeating one schema compiles it once.
using System.Collections.Concurrent;
using System.Text.Json;
using Weft.Inference.Grammar;

namespace Weft.Server.Api;

internal static class ResponseFormatFields
{
    private const int MaxCached = 64;
    private static readonly ConcurrentDictionary<string, Grammar> s_cache = new(StringComparer.Ordinal);

    /// <summary>The grammar a /v1 request asks for, or null for free text.</summary>
    public static Grammar? Read(JsonRequest r)
    {
        var chosen = new List<string>();
        Grammar? grammar = null;
        if (r.Get("response_format") is { } format)
        {
            grammar = OpenAi(format);
            if (grammar != null) chosen.Add("response_format");
        }
        if (r.Get("grammar") is { } gbnf)
        {
            if (gbnf.ValueKind != JsonValueKind.String) throw JsonRequest.WrongType("grammar", "a string (GBNF)");
            if (gbnf.GetString()!.Length > 0)
            {
                grammar = Compile("gbnf:" + gbnf.GetString(), "grammar");
                chosen.Add("grammar");
            }
        }
        if (r.Get("json_schema") is { } schema)
        {
            grammar = Schema(schema, "json_schema");
            chosen.Add("json_schema");
        }
        if (chosen.Count > 1)
            throw ApiException.BadRequest($"ask for one output constraint, not {string.Join(" and ", chosen.Select(c => $"'{c}'"))}", chosen[1]);
        return grammar;
    }

    private static Grammar? OpenAi(JsonElement format)
    {
        if (format.ValueKind != JsonValueKind.Object) throw JsonRequest.WrongType("response_format", "an object");
        string? type = format.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text":
                return null;
            case "json_object":
                // llama-server's extension: json_object with a "schema"
                return format.TryGetProperty("schema", out var inline) ? Schema(inline, "response_format") : Grammar.JsonObject;
            case "json_schema":
                if (!format.TryGetProperty("json_schema", out var js) || js.ValueKind != JsonValueKind.Object)
                    throw ApiException.BadRequest("'response_format.json_schema' is required with type json_schema and must be an object", "response_format");
                if (js.TryGetProperty("strict", out var strict) && strict.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                    throw JsonRequest.WrongType("response_format.json_schema.strict", "a boolean");
                // strict or not, the schema is enforced: a grammar cannot follow it halfway
                return js.TryGetProperty("schema", out var schema) && schema.ValueKind != JsonValueKind.Null
                    ? Schema(schema, "response_format")
                    : Grammar.JsonObject;
            default:
                throw ApiException.BadRequest($"'response_format.type' must be \"text\", \"json_object\" or \"json_schema\"{(type == null ? "" : $"; got \"{type}\"")}", "response_format");
        }
    }

    /// <summary>The Responses API's text.format: {"type": "text"}, {"type": "json_object"} or {"type": "json_schema",
    /// "name", "schema", "strict"} (the schema beside the type, not nested as in chat completions).</summary>
    public static Grammar? Responses(JsonElement format)
    {
        string? type = format.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text":
                return null;
            case "json_object":
                return Grammar.JsonObject;
            case "json_schema":
                if (format.TryGetProperty("strict", out var strict) && strict.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                    throw JsonRequest.WrongType("text.format.strict", "a boolean");
                return format.TryGetProperty("schema", out var schema) && schema.ValueKind != JsonValueKind.Null
                    ? Schema(schema, "text.format.schema")
                    : Grammar.JsonObject;
            default:
                throw ApiException.BadRequest($"'text.format.type' must be \"text\", \"json_object\" or \"json_schema\"{(type == null ? "" : $"; got \"{type}\"")}", "text.format.type");
        }
    }

    /// <summary>Ollama's "format": "json" (any JSON object), a JSON Schema object, or "" / absent for none.</summary>
    public static Grammar? Ollama(JsonRequest body)
    {
        if (body.Get("format") is not { } f) return null;
        if (f.ValueKind == JsonValueKind.String)
            return f.GetString() switch
            {
                "" => null,
                "json" => Grammar.JsonObject,
                var other => throw ApiException.BadRequest($"'format' must be \"json\" or a JSON schema object; got \"{other}\"", "format"),
            };
        if (f.ValueKind != JsonValueKind.Object) throw JsonRequest.WrongType("format", "\"json\" or a JSON schema object");
        return Schema(f, "format");
    }

    private static Grammar Schema(JsonElement schema, string field) => Compile("schema:" + schema.GetRawText(), field);

    private static Grammar Compile(string key, string field)
    {
        if (s_cache.TryGetValue(key, out var known)) return known;
        Grammar grammar;
        try
        {
            grammar = key.StartsWith("gbnf:", StringComparison.Ordinal) ? Grammar.Parse(key[5..]) : Grammar.FromJsonSchema(key[7..]);
        }
        catch (GrammarException e)
        {
            throw ApiException.BadRequest(e.Message, field);
        }
        if (s_cache.Count >= MaxCached) s_cache.Clear();
        s_cache[key] = grammar;
        return grammar;
    }
}
