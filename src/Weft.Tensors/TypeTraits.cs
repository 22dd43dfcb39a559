// Block geometry of every element type a GGUF file may name, computable or not.
namespace Weft.Tensors;

/// <summary>Elements per block and bytes per block of one element type.</summary>
public readonly record struct TypeTraits(GgmlType Type, string Name, int BlockSize, int BlockBytes)
{
    private static readonly Dictionary<GgmlType, TypeTraits> Table = new()
    {
        [GgmlType.F32] = new(GgmlType.F32, "F32", 1, 4),
        [GgmlType.F16] = new(GgmlType.F16, "F16", 1, 2),
        [GgmlType.Q4_0] = new(GgmlType.Q4_0, "Q4_0", 32, 18),
        [GgmlType.Q4_1] = new(GgmlType.Q4_1, "Q4_1", 32, 20),
        [GgmlType.Q5_0] = new(GgmlType.Q5_0, "Q5_0", 32, 22),
        [GgmlType.Q5_1] = new(GgmlType.Q5_1, "Q5_1", 32, 24),
        [GgmlType.Q8_0] = new(GgmlType.Q8_0, "Q8_0", 32, 34),
        [GgmlType.Q8_1] = new(GgmlType.Q8_1, "Q8_1", 32, 36),
        [GgmlType.Q2_K] = new(GgmlType.Q2_K, "Q2_K", 256, 84),
        [GgmlType.Q3_K] = new(GgmlType.Q3_K, "Q3_K", 256, 110),
        [GgmlType.Q4_K] = new(GgmlType.Q4_K, "Q4_K", 256, 144),
        [GgmlType.Q5_K] = new(GgmlType.Q5_K, "Q5_K", 256, 176),
        [GgmlType.Q6_K] = new(GgmlType.Q6_K, "Q6_K", 256, 210),
        [GgmlType.Q8_K] = new(GgmlType.Q8_K, "Q8_K", 256, 292),
        [GgmlType.IQ2_XXS] = new(GgmlType.IQ2_XXS, "IQ2_XXS", 256, 66),
        [GgmlType.IQ2_XS] = new(GgmlType.IQ2_XS, "IQ2_XS", 256, 74),
        [GgmlType.IQ3_XXS] = new(GgmlType.IQ3_XXS, "IQ3_XXS", 256, 98),
        [GgmlType.IQ1_S] = new(GgmlType.IQ1_S, "IQ1_S", 256, 50),
        [GgmlType.IQ4_NL] = new(GgmlType.IQ4_NL, "IQ4_NL", 32, 18),
        [GgmlType.IQ3_S] = new(GgmlType.IQ3_S, "IQ3_S", 256, 110),
        [GgmlType.IQ2_S] = new(GgmlType.IQ2_S, "IQ2_S", 256, 82),
        [GgmlType.IQ4_XS] = new(GgmlType.IQ4_XS, "IQ4_XS", 256, 136),
        [GgmlType.I8] = new(GgmlType.I8, "I8", 1, 1),
        [GgmlType.I16] = new(GgmlType.I16, "I16", 1, 2),
        [GgmlType.I32] = new(GgmlType.I32, "I32", 1, 4),
        [GgmlType.I64] = new(GgmlType.I64, "I64", 1, 8),
        [GgmlType.F64] = new(GgmlType.F64, "F64", 1, 8),
        [GgmlType.IQ1_M] = new(GgmlType.IQ1_M, "IQ1_M", 256, 56),
        [GgmlType.BF16] = new(GgmlType.BF16, "BF16", 1, 2),
        [GgmlType.TQ1_0] = new(GgmlType.TQ1_0, "TQ1_0", 256, 54),
        [GgmlType.TQ2_0] = new(GgmlType.TQ2_0, "TQ2_0", 256, 66),
        [GgmlType.MXFP4] = new(GgmlType.MXFP4, "MXFP4", 32, 17),
    };

    public static bool IsKnown(GgmlType type) => Table.ContainsKey(type);

    public static TypeTraits Of(GgmlType type) =>
        Table.TryGetValue(type, out var t) ? t : throw new ArgumentException($"unknown tensor type id {(uint)type}");

    public static bool TryParse(string name, out GgmlType type)
    {
        foreach (var t in Table.Values)
        {
            if (string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)) { type = t.Type; return true; }
        }
        type = default;
        return false;
    }

    public static string NameOf(GgmlType type) => Table.TryGetValue(type, out var t) ? t.Name : $"type{(uint)type}";

    /// <summary>Bytes of one row of <paramref name="elements"/> elements; the count must be a whole number of blocks.</summary>
    public long RowBytes(long elements)
    {
        if (elements % BlockSize != 0)
            throw new ArgumentException($"{Name}: row of {elements} elements is not a multiple of the block size {BlockSize}");
        return elements / BlockSize * BlockBytes;
    }
}
