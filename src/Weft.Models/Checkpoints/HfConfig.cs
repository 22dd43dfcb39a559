// config.json of a Hugging Face checkpoint: typed reads that name the file and the field when a value is wrong.
using System.Text.Json;
using Weft.Formats;

namespace Weft.Models.Checkpoints;

public sealed class HfConfig
{
    public const string FileName = "config.json";

    private readonly JsonElement _root;
    public string Path { get; }

    private HfConfig(string path, JsonElement root)
    {
        Path = path;
        _root = root;
    }

    public static HfConfig Read(string folder)
    {
        string path = System.IO.Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new ModelFormatException($"{folder}: no {FileName}; a Hugging Face checkpoint folder needs one");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{path}: not a JSON object");
            return new HfConfig(path, doc.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: not valid JSON: {e.Message}");
        }
    }

    private JsonElement? Field(string name) =>
        _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public bool Has(string name) => Field(name) != null;

    public string? String(string name) => Field(name) is { } v
        ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw Bad(name, "a string")
        : null;

    /// <summary>The first of <paramref name="names"/> present, as a positive integer; null when none is.</summary>
    public int? Int(params string[] names)
    {
        foreach (string name in names)
            if (Field(name) is { } v)
                return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i > 0 ? i : throw Bad(name, "a positive integer");
        return null;
    }

    public int RequireInt(string name) => Int(name) ?? throw new ModelFormatException($"{Path}: required field '{name}' is missing");

    public float? Float(params string[] names)
    {
        foreach (string name in names)
            if (Field(name) is { } v)
                return v.ValueKind == JsonValueKind.Number ? (float)v.GetDouble() : throw Bad(name, "a number");
        return null;
    }

    public bool? Bool(string name) => Field(name) is { } v
        ? v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Bad(name, "true or false")
        : null;

    /// <summary>A nested object (rope_scaling), or null.</summary>
    public JsonElement? Object(string name) => Field(name) is { } v
        ? v.ValueKind == JsonValueKind.Object ? v : throw Bad(name, "an object")
        : null;

    private ModelFormatException Bad(string name, string expected) =>
        new($"{Path}: field '{name}' is {Field(name)?.GetRawText()}, expected {expected}");
}
