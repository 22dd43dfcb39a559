// Looks up the format implementation for a tensor type.
namespace Weft.Tensors.Quantization;

public static class QuantRegistry
{
    private static readonly Dictionary<GgmlType, QuantFormat> Formats = Build();

    private static Dictionary<GgmlType, QuantFormat> Build()
    {
        var all = new QuantFormat[]
        {
            new F32Format(),
            new F16Format(),
            new BF16Format(),
            new Q4_0Format(),
            new Q4_1Format(),
            new Q5_0Format(),
            new Q5_1Format(),
            new Q8_0Format(),
            new Q8_1Format(),
            new Q2_KFormat(),
            new Q3_KFormat(),
            new Q4_KFormat(),
            new Q5_KFormat(),
            new Q6_KFormat(),
            new Q8_KFormat(),
        };
        return all.ToDictionary(f => f.Type);
    }

    /// <summary>Types the engine can compute with.</summary>
    public static IEnumerable<GgmlType> Supported => Formats.Keys;

    public static bool IsSupported(GgmlType type) => Formats.ContainsKey(type);

    public static QuantFormat Get(GgmlType type) =>
        Formats.TryGetValue(type, out var f)
            ? f
            : throw new NotSupportedException(
                $"tensor type {TypeTraits.NameOf(type)} is not supported (supported: {string.Join(", ", Formats.Keys.Select(TypeTraits.NameOf))})");
}
