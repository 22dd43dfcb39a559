// Typed, validated access to GGUF metadata: every failure names the key and what was wrong with it.
using Weft.Formats;
using Weft.Formats.Gguf;

namespace Weft.Models.Loading;

public sealed class MetadataReader(ModelSource file)
{
    public ModelSource File => file;

    public bool Has(string key) => file.Metadata.ContainsKey(key);

    public string String(string key) => file.Get(key).AsString(key);

    public string? StringOrNull(string key) => file.TryGet(key, out var v) ? v.AsString(key) : null;

    /// <summary>A positive integer no larger than <paramref name="max"/>.</summary>
    public int Int(string key, int min = 1, int max = 1 << 24)
    {
        long v = file.Get(key).AsInt64(key);
        if (v < min || v > max) throw new ModelFormatException($"{file.Path}: metadata key '{key}' is {v}, expected {min} to {max}");
        return (int)v;
    }

    public int Int(string key, int fallback, int min, int max) => Has(key) ? Int(key, min, max) : fallback;

    public float Float(string key, float fallback, float min = float.MinValue, float max = float.MaxValue)
    {
        if (!file.TryGet(key, out var v)) return fallback;
        double d = v.AsDouble(key);
        if (!(d >= min && d <= max)) throw new ModelFormatException($"{file.Path}: metadata key '{key}' is {d}, expected {min} to {max}");
        return (float)d;
    }

    /// <summary>A per-layer value stored either as one integer or as an array with one entry per layer; all must agree.</summary>
    public int UniformInt(string key, int fallback, int min, int max)
    {
        if (!file.TryGet(key, out var v)) return fallback;
        if (v.Type != GgufValueType.Array) return Int(key, min, max);
        var items = v.AsArray(key).Items;
        if (items.Length == 0) throw new ModelFormatException($"{file.Path}: metadata key '{key}' is an empty array");
        var values = new HashSet<long>();
        foreach (var item in items) values.Add(new GgufValue(v.AsArray(key).ElementType, item!).AsInt64(key));
        if (values.Count != 1) throw new UnsupportedModelException($"{file.Path}: metadata key '{key}' varies per layer, which this engine does not support");
        long x = values.First();
        if (x < min || x > max) throw new ModelFormatException($"{file.Path}: metadata key '{key}' is {x}, expected {min} to {max}");
        return (int)x;
    }
}
