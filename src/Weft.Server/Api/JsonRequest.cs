// A request body read as JSON, with typed field getters that refuse wrong types with the field's name.
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Weft.Server.Api;

internal sealed class JsonRequest(JsonElement root)
{
    public JsonElement Root { get; } = root;

    public static async Task<JsonRequest> ReadAsync(HttpRequest request, CancellationToken cancel)
    {
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 64 }, cancel);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
        // the document's pooled buffers go back when the request ends (what outlives it is cloned)
        request.HttpContext.Response.RegisterForDispose(doc);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw ApiException.BadRequest("the request body must be a JSON object");
        CheckStrings(doc.RootElement, "");
        return new JsonRequest(doc.RootElement);
    }

    /// <summary>Refuses a body with a string (value or name) that is no Unicode text: a \uD800-style escape of a lone
    /// surrogate is valid JSON syntax but cannot become a string, so it is refused here, once, for every field.</summary>
    private static void CheckStrings(JsonElement e, string at)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                try { _ = e.GetString(); }
                catch (InvalidOperationException)
                {
                    throw ApiException.BadRequest($"'{at}' is not valid Unicode text (it escapes a lone surrogate)", at.Length > 0 ? at : null, "invalid_unicode");
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray()) CheckStrings(item, $"{at}[{i++}]");
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    string name;
                    try { name = p.Name; }
                    catch (InvalidOperationException)
                    {
                        throw ApiException.BadRequest($"a field name in '{(at.Length > 0 ? at : "the body")}' is not valid Unicode text (it escapes a lone surrogate)", null, "invalid_unicode");
                    }
                    CheckStrings(p.Value, at.Length > 0 ? $"{at}.{name}" : name);
                }
                break;
        }
    }

    public bool Has(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Get(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw ApiException.BadRequest($"'{name}' is required", name);

    public string? OptionalString(string name) => Get(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        _ => throw WrongType(name, "a string"),
    };

    public double? OptionalNumber(string name, double min, double max)
    {
        if (Get(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || !double.IsFinite(d)) throw WrongType(name, "a number");
        if (d < min || d > max) throw ApiException.BadRequest($"'{name}' must be between {min} and {max}; got {d}", name);
        return d;
    }

    public long? OptionalInteger(string name, long min, long max)
    {
        if (Get(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long n)) throw WrongType(name, "an integer");
        if (n < min || n > max) throw ApiException.BadRequest($"'{name}' must be between {min} and {max}; got {n}", name);
        return n;
    }

    public ulong? OptionalSeed(string name)
    {
        if (Get(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number) throw WrongType(name, "an integer");
        if (v.TryGetUInt64(out ulong u)) return u;
        if (v.TryGetInt64(out long s)) return unchecked((ulong)s);
        throw WrongType(name, "an integer");
    }

    public bool OptionalBool(string name, bool fallback) => Get(name) switch
    {
        null => fallback,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw WrongType(name, "a boolean"),
    };

    /// <summary>A string or an array of strings (OpenAI's `stop`, `input`), as a list.</summary>
    public IReadOnlyList<string> StringOrStrings(string name, int maxCount)
    {
        if (Get(name) is not { } v) return [];
        if (v.ValueKind == JsonValueKind.String) return [v.GetString()!];
        if (v.ValueKind != JsonValueKind.Array) throw WrongType(name, "a string or an array of strings");
        var list = new List<string>();
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.String) throw WrongType(name, "a string or an array of strings");
            list.Add(e.GetString()!);
        }
        if (list.Count > maxCount) throw ApiException.BadRequest($"'{name}' may hold at most {maxCount} entries", name);
        return list;
    }

    /// <summary>OpenAI's stream_options.include_usage: a final chunk carries the usage counts.</summary>
    public bool StreamIncludesUsage() => Get("stream_options") is { ValueKind: JsonValueKind.Object } so
        && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;

    public static ApiException WrongType(string name, string expected) => ApiException.BadRequest($"'{name}' must be {expected}", name, "invalid_type");
}
