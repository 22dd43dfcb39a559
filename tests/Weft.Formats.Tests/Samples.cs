// Valid GGUF contents shared by the round-trip, interoperability and fuzz tests, and a deep value comparison.
using Weft.Formats.Gguf;
using Weft.Tensors;

namespace Weft.Formats.Tests;

internal sealed record SampleTensor(string Name, GgmlType Type, long[] Shape, byte[] Data);

internal sealed class Sample
{
    public List<KeyValuePair<string, GgufValue>> Metadata { get; } = new();
    public List<SampleTensor> Tensors { get; } = new();

    public Sample Set(string key, GgufValue value)
    {
        Metadata.Add(new(key, value));
        return this;
    }

    public Sample Set(string key, GgufValueType type, object value) => Set(key, new GgufValue(type, value));

    public Sample Tensor(string name, GgmlType type, long[] shape, Random rng)
    {
        long elements = shape.Aggregate(1L, (a, b) => a * b);
        var traits = TypeTraits.Of(type);
        var data = new byte[elements / traits.BlockSize * traits.BlockBytes];
        rng.NextBytes(data);
        Tensors.Add(new SampleTensor(name, type, shape, data));
        return this;
    }

    public GgufWriter ToWriter()
    {
        var w = new GgufWriter();
        foreach (var (k, v) in Metadata) w.Set(k, v);
        foreach (var t in Tensors) w.AddTensor(t.Name, t.Type, t.Shape, t.Data);
        return w;
    }

    public byte[] ToBytes()
    {
        using var ms = new MemoryStream();
        ToWriter().WriteTo(ms);
        return ms.ToArray();
    }

    public static GgufValue Arr(GgufValueType elementType, Array items) => new(GgufValueType.Array, new GgufArray(elementType, items));

    /// <summary>Every value type, arrays of each, nested arrays, empty arrays and strings, unicode, odd floats.</summary>
    public static Sample AllValueTypes(uint alignment = 0)
    {
        var s = new Sample();
        s.Set("general.architecture", GgufValue.Of("testarch"));
        if (alignment != 0) s.Set("general.alignment", GgufValue.Of(alignment));
        s.Set("test.u8", GgufValueType.UInt8, (byte)200)
            .Set("test.i8", GgufValueType.Int8, (sbyte)-100)
            .Set("test.u16", GgufValueType.UInt16, (ushort)60000)
            .Set("test.i16", GgufValueType.Int16, (short)-30000)
            .Set("test.u32", GgufValue.Of(4_000_000_000u))
            .Set("test.i32", GgufValue.Of(-2_000_000_000))
            .Set("test.f32", GgufValue.Of(0.15625f))
            .Set("test.f32_nan", GgufValue.Of(float.NaN))
            .Set("test.f32_negzero", GgufValue.Of(-0.0f))
            .Set("test.f32_inf", GgufValue.Of(float.NegativeInfinity))
            .Set("test.f32_tiny", GgufValue.Of(float.Epsilon))
            .Set("test.bool_true", GgufValue.Of(true))
            .Set("test.bool_false", GgufValue.Of(false))
            .Set("test.string", GgufValue.Of("hello GGUF"))
            .Set("test.unicode", GgufValue.Of("héllo wörld ✓ 日本語 🦙 \u0000 nul"))
            .Set("test.empty_string", GgufValue.Of(""))
            .Set("test.u64", GgufValue.Of(18_000_000_000_000_000_000UL))
            .Set("test.i64", GgufValue.Of(-9_000_000_000_000_000_000L))
            .Set("test.f64", GgufValue.Of(-2.718281828459045))
            .Set("test.arr_u8", Arr(GgufValueType.UInt8, new byte[] { 0, 1, 255 }))
            .Set("test.arr_i8", Arr(GgufValueType.Int8, new sbyte[] { -128, 0, 127 }))
            .Set("test.arr_u16", Arr(GgufValueType.UInt16, new ushort[] { 0, 65535 }))
            .Set("test.arr_i16", Arr(GgufValueType.Int16, new short[] { -32768, 32767 }))
            .Set("test.arr_u32", GgufValue.Of(new uint[] { 1, uint.MaxValue }))
            .Set("test.arr_i32", GgufValue.Of(new[] { -1, 2, -3 }))
            .Set("test.arr_f32", GgufValue.Of(new[] { 0.5f, -1.25f, 3.0f }))
            .Set("test.arr_bool", Arr(GgufValueType.Bool, new[] { true, false, true }))
            .Set("test.arr_str", GgufValue.Of(new[] { "a", "", "ü✓" }))
            .Set("test.arr_u64", Arr(GgufValueType.UInt64, new[] { 0UL, ulong.MaxValue }))
            .Set("test.arr_i64", Arr(GgufValueType.Int64, new[] { long.MinValue, long.MaxValue }))
            .Set("test.arr_f64", Arr(GgufValueType.Float64, new[] { 1e-300, -0.1 }))
            .Set("test.arr_nested", Arr(GgufValueType.Array, new[]
            {
                new GgufArray(GgufValueType.String, new[] { "x", "yy" }),
                new GgufArray(GgufValueType.String, Array.Empty<string>()),
                new GgufArray(GgufValueType.String, new[] { "zzz" }),
            }))
            .Set("test.arr_nested_mixed", Arr(GgufValueType.Array, new[]
            {
                new GgufArray(GgufValueType.Int32, new[] { 7, 8 }),
                new GgufArray(GgufValueType.Array, new[] { new GgufArray(GgufValueType.Float64, new[] { 0.25 }) }),
            }))
            .Set("test.arr_empty_u32", Arr(GgufValueType.UInt32, Array.Empty<uint>()))
            .Set("test.arr_empty_str", Arr(GgufValueType.String, Array.Empty<string>()))
            .Set("test.arr_empty_arr", Arr(GgufValueType.Array, Array.Empty<GgufArray>()));
        return s;
    }

    /// <summary><see cref="AllValueTypes"/> plus tensors of several types and shapes filled with seeded random bytes.</summary>
    public static Sample WithTensors(uint alignment = 0, int seed = 1)
    {
        var rng = new Random(seed);
        return AllValueTypes(alignment)
            .Tensor("token_embd.weight", GgmlType.F32, [4, 3], rng)
            .Tensor("blk.0.attn_q.weight", GgmlType.F16, [32, 2], rng)
            .Tensor("blk.0.ffn_up.weight", GgmlType.Q8_0, [64, 3], rng)
            .Tensor("blk.0.ffn_down.weight", GgmlType.Q4_K, [256, 2], rng)
            .Tensor("blk.0.attn_norm.weight", GgmlType.F32, [5], rng)
            .Tensor("blk.0.cube", GgmlType.F16, [3, 2, 2, 2], rng)
            .Tensor("output.weight", GgmlType.Q8_0, [32, 1, 1], rng);
    }
}

internal static class Values
{
    /// <summary>Bit-exact deep equality (NaN equals NaN, -0 differs from +0); null when equal, else where they differ.</summary>
    public static string? Difference(GgufValue expected, GgufValue actual)
    {
        if (expected.Type != actual.Type) return $"type {actual.Type}, expected {expected.Type}";
        return Difference(expected.Value, actual.Value, "");
    }

    private static string? Difference(object e, object a, string path)
    {
        switch (e)
        {
            case GgufArray ea:
                if (a is not GgufArray aa) return $"{path}: {a.GetType().Name}, expected an array";
                if (ea.ElementType != aa.ElementType) return $"{path}: element type {aa.ElementType}, expected {ea.ElementType}";
                if (ea.Items.GetType() != aa.Items.GetType()) return $"{path}: items are {aa.Items.GetType().Name}, expected {ea.Items.GetType().Name}";
                if (ea.Count != aa.Count) return $"{path}: {aa.Count} items, expected {ea.Count}";
                for (int i = 0; i < ea.Count; i++)
                {
                    string? d = Difference(ea.Items.GetValue(i)!, aa.Items.GetValue(i)!, $"{path}[{i}]");
                    if (d != null) return d;
                }
                return null;
            case float ef:
                return a is float af && BitConverter.SingleToInt32Bits(ef) == BitConverter.SingleToInt32Bits(af) ? null : $"{path}: {a}, expected {ef}";
            case double ed:
                return a is double ad && BitConverter.DoubleToInt64Bits(ed) == BitConverter.DoubleToInt64Bits(ad) ? null : $"{path}: {a}, expected {ed}";
            default:
                return e.GetType() == a.GetType() && e.Equals(a) ? null : $"{path}: {a} ({a.GetType().Name}), expected {e} ({e.GetType().Name})";
        }
    }

    public static void AssertEqual(string key, GgufValue expected, GgufValue actual)
    {
        string? d = Difference(expected, actual);
        if (d != null) Assert.Fail($"metadata key '{key}': {d}");
    }
}
