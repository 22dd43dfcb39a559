// A parsed JSON file whose accessors report the file and the field path of anything missing or ill-typed.
using System.Text.Json;

namespace Weft.Tokenizers.HuggingFace;

internal sealed class JsonFile : IDisposable
{
    private readonly JsonDocument _doc;

    public string Path { get; }
    public JsonElement Root => _doc.RootElement;

    private JsonFile(string path, JsonDocument doc) => (Path, _doc) = (path, doc);

    /// <summary>Parses <paramref name="path"/>; null when the file does not exist.</summary>
    public static JsonFile? TryOpen(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, MaxDepth = 256 });
            string? problem = doc.RootElement.ValueKind != JsonValueKind.Object ? "expected a JSON object at the top level"
                : InvalidString(bytes) is long at and >= 0 ? $"the string at byte {at + 1} is not valid UTF-8 text" : null;
            if (problem != null)
            {
                doc.Dispose();
                throw new TokenizerFileException($"{path}: {problem}");
            }
            return new JsonFile(path, doc);
        }
        catch (JsonException e)
        {
            throw new TokenizerFileException($"{path}: malformed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new TokenizerFileException($"{path}: cannot be read: {e.Message}", e);
        }
    }

    // JsonDocument checks syntax, not the text inside strings: invalid UTF-8 or a lone surrogate escape would only fail
    // when read, as an InvalidOperationException. The byte offset of the first such string or name, or -1.
    private static long InvalidString(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = true, MaxDepth = 256 });
        var buffer = new char[256];
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) continue;
            if (buffer.Length < reader.ValueSpan.Length) buffer = new char[reader.ValueSpan.Length];
            try { reader.CopyString(buffer); }
            catch (InvalidOperationException) { return reader.TokenStartIndex; }
        }
        return -1;
    }

    public TokenizerFileException Error(string field, string problem) => new($"{Path}: field '{field}' {problem}");

    /// <summary>The member <paramref name="name"/> of an object; null when absent or JSON null.</summary>
    public static JsonElement? Member(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string? String(JsonElement obj, string name, string field)
    {
        var v = Member(obj, name);
        if (v == null) return null;
        return v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : throw Error(field, $"holds {Kind(v.Value)}, expected a string");
    }

    public bool? Bool(JsonElement obj, string name, string field)
    {
        var v = Member(obj, name);
        if (v == null) return null;
        return v.Value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(field, $"holds {Kind(v.Value)}, expected true or false"),
        };
    }

    public int Int(JsonElement v, string field) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : throw Error(field, $"holds {Kind(v)}, expected an integer");

    public JsonElement Object(JsonElement obj, string name, string field)
    {
        var v = Member(obj, name) ?? throw Error(field, "is missing");
        return v.ValueKind == JsonValueKind.Object ? v : throw Error(field, $"holds {Kind(v)}, expected an object");
    }

    public JsonElement Array(JsonElement v, string field) =>
        v.ValueKind == JsonValueKind.Array ? v : throw Error(field, $"holds {Kind(v)}, expected an array");

    public static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    public void Dispose() => _doc.Dispose();
}
