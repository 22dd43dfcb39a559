// One metadata value: a scalar, a string, or a typed (possibly nested) array.
using System.Globalization;

namespace Weft.Formats.Gguf;

/// <summary>An array value. <see cref="Items"/> is a typed CLR array: byte[], sbyte[], ushort[], short[], uint[],
/// int[], float[], bool[], string[], ulong[], long[], double[], or GgufArray[] when arrays nest.</summary>
public sealed record GgufArray(GgufValueType ElementType, Array Items)
{
    public int Count => Items.Length;
}

public sealed record GgufValue(GgufValueType Type, object Value)
{
    public static GgufValue Of(string s) => new(GgufValueType.String, s);
    public static GgufValue Of(uint v) => new(GgufValueType.UInt32, v);
    public static GgufValue Of(int v) => new(GgufValueType.Int32, v);
    public static GgufValue Of(ulong v) => new(GgufValueType.UInt64, v);
    public static GgufValue Of(long v) => new(GgufValueType.Int64, v);
    public static GgufValue Of(float v) => new(GgufValueType.Float32, v);
    public static GgufValue Of(double v) => new(GgufValueType.Float64, v);
    public static GgufValue Of(bool v) => new(GgufValueType.Bool, v);
    public static GgufValue Of(string[] v) => new(GgufValueType.Array, new GgufArray(GgufValueType.String, v));
    public static GgufValue Of(float[] v) => new(GgufValueType.Array, new GgufArray(GgufValueType.Float32, v));
    public static GgufValue Of(int[] v) => new(GgufValueType.Array, new GgufArray(GgufValueType.Int32, v));
    public static GgufValue Of(uint[] v) => new(GgufValueType.Array, new GgufArray(GgufValueType.UInt32, v));

    public bool IsInteger => Type is GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.UInt16 or GgufValueType.Int16
        or GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.UInt64 or GgufValueType.Int64;

    public bool IsNumber => IsInteger || Type is GgufValueType.Float32 or GgufValueType.Float64;

    /// <summary>Any integer type widened to long; ulong values beyond long.MaxValue are refused.</summary>
    public long AsInt64(string key) => Value switch
    {
        byte v => v, sbyte v => v, ushort v => v, short v => v, uint v => v, int v => v, long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => throw new ModelFormatException($"metadata key '{key}' holds {Describe()}, expected an integer"),
    };

    public double AsDouble(string key) => Value switch
    {
        float v => v, double v => v,
        _ when IsInteger => AsInt64(key),
        _ => throw new ModelFormatException($"metadata key '{key}' holds {Describe()}, expected a number"),
    };

    public string AsString(string key) => Value as string
        ?? throw new ModelFormatException($"metadata key '{key}' holds {Describe()}, expected a string");

    public bool AsBool(string key) => Value switch
    {
        bool b => b,
        _ when IsInteger => AsInt64(key) != 0,
        _ => throw new ModelFormatException($"metadata key '{key}' holds {Describe()}, expected a bool"),
    };

    public GgufArray AsArray(string key) => Value as GgufArray
        ?? throw new ModelFormatException($"metadata key '{key}' holds {Describe()}, expected an array");

    public string Describe() => Type == GgufValueType.Array
        ? $"an array of {((GgufArray)Value).Count} {((GgufArray)Value).ElementType}"
        : $"a {Type}";

    /// <summary>Short human-readable form; long arrays show their first items and their length.</summary>
    public string Display(int maxItems = 8) => Format(Value, maxItems);

    private static string Format(object v, int maxItems) => v switch
    {
        string s => Quote(s),
        bool b => b ? "true" : "false",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        GgufArray a => FormatArray(a, maxItems),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string FormatArray(GgufArray a, int maxItems)
    {
        var shown = new List<string>();
        for (int i = 0; i < Math.Min(a.Count, maxItems); i++) shown.Add(Format(a.Items.GetValue(i)!, maxItems));
        string more = a.Count > maxItems ? $", … ({a.Count} items)" : "";
        return "[" + string.Join(", ", shown) + more + "]";
    }

    private static string Quote(string s)
    {
        if (s.Length > 200) s = s[..200] + "…";
        return "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
