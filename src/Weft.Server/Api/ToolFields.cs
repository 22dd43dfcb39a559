// Reads the tool fields of a chat request: tools (functions with a name, description and JSON-schema parameters),
// tool_choice ("none", "auto", "required" or one named function) and parallel_tool_calls.
using System.Text.Json;
using Weft.Inference.Templates;
using Weft.Inference.Tools;

namespace Weft.Server.Api;

/// <param name="Parameters">the function's JSON schema, cloned out of the request body; null when absent</param>
/// <param name="Strict">function.strict: its arguments must follow the schema exactly (a keyword that cannot be enforced is a 400)</param>
internal sealed record ToolFunction(string Name, JsonElement? Parameters, bool Strict = false);

/// <param name="Template">the tools array as the template sees it (OpenAI's shape, as given)</param>
internal sealed record ToolRequest(IReadOnlyList<ToolFunction> Functions, Value Template, ToolChoice Choice, bool Parallel);

internal static class ToolFields
{
    /// <summary>The request's tools; null when it has none (a tool_choice other than "none" then is a 400).</summary>
    public static ToolRequest? Read(JsonRequest body)
    {
        var tools = body.Get("tools");
        if (tools is not { } array || (array.ValueKind == JsonValueKind.Array && array.GetArrayLength() == 0))
        {
            if (body.Get("tool_choice") is { } c && !(c.ValueKind == JsonValueKind.String && c.GetString() == "none"))
                throw ApiException.BadRequest("'tool_choice' needs 'tools'", "tool_choice");
            return null;
        }
        if (array.ValueKind != JsonValueKind.Array) throw JsonRequest.WrongType("tools", "an array of tools");
        var functions = new List<ToolFunction>();
        int i = 0;
        foreach (var t in array.EnumerateArray())
        {
            string at = $"tools[{i++}]";
            if (t.ValueKind != JsonValueKind.Object) throw JsonRequest.WrongType(at, "an object");
            if (!t.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "function")
                throw ApiException.BadRequest($"'{at}.type' must be \"function\" (the only kind of tool this server calls)", at + ".type");
            if (!t.TryGetProperty("function", out var f) || f.ValueKind != JsonValueKind.Object) throw JsonRequest.WrongType(at + ".function", "an object");
            if (!f.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Length == 0)
                throw ApiException.BadRequest($"'{at}.function.name' is required and must be a non-empty string", at + ".function.name");
            if (f.TryGetProperty("description", out var d) && d.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                throw JsonRequest.WrongType(at + ".function.description", "a string");
            JsonElement? parameters = null;
            if (f.TryGetProperty("parameters", out var p) && p.ValueKind != JsonValueKind.Null)
                parameters = p.ValueKind == JsonValueKind.Object ? p.Clone() : throw JsonRequest.WrongType(at + ".function.parameters", "a JSON schema object");
            bool strict = false;
            if (f.TryGetProperty("strict", out var st) && st.ValueKind != JsonValueKind.Null)
                strict = st.ValueKind is JsonValueKind.True or JsonValueKind.False ? st.GetBoolean() : throw JsonRequest.WrongType(at + ".function.strict", "a boolean");
            string n = name.GetString()!;
            if (functions.Any(x => x.Name == n)) throw ApiException.BadRequest($"'{at}.function.name': '{n}' is given twice", at + ".function.name");
            functions.Add(new ToolFunction(n, parameters, strict));
        }
        return new ToolRequest(functions, JsonValues.FromJson(array), Choice(body, functions), body.OptionalBool("parallel_tool_calls", true));
    }

    private static ToolChoice Choice(JsonRequest body, List<ToolFunction> functions)
    {
        if (body.Get("tool_choice") is not { } c) return ToolChoice.Auto;
        if (c.ValueKind == JsonValueKind.String)
            return c.GetString() switch
            {
                "none" => new ToolChoice(ToolChoiceKind.None),
                "auto" => ToolChoice.Auto,
                "required" => new ToolChoice(ToolChoiceKind.Required),
                var s => throw ApiException.BadRequest($"'tool_choice' is '{s}'; expected \"none\", \"auto\", \"required\" or {{\"type\": \"function\", \"function\": {{\"name\": …}}}}", "tool_choice"),
            };
        if (c.ValueKind != JsonValueKind.Object || !c.TryGetProperty("function", out var f) || f.ValueKind != JsonValueKind.Object
            || !f.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            throw JsonRequest.WrongType("tool_choice", "\"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": …}}");
        string n = name.GetString()!;
        if (!functions.Any(x => x.Name == n))
            throw ApiException.BadRequest($"'tool_choice.function.name' is '{n}', which is not among 'tools'", "tool_choice.function.name");
        return new ToolChoice(ToolChoiceKind.Named, n);
    }
}
