// The quantization recipes users name (llama.cpp's file types): the default tensor type, and the general.file_type id.
using Weft.Tensors;

namespace Weft.Models.Quantization;

public sealed record FileType(string Name, int Id, GgmlType DefaultType)
{
    public static readonly IReadOnlyList<FileType> All =
    [
        new("F32", 0, GgmlType.F32),
        new("F16", 1, GgmlType.F16),
        new("Q4_0", 2, GgmlType.Q4_0),
        new("Q4_1", 3, GgmlType.Q4_1),
        new("Q8_0", 7, GgmlType.Q8_0),
        new("Q5_0", 8, GgmlType.Q5_0),
        new("Q5_1", 9, GgmlType.Q5_1),
        new("Q2_K", 10, GgmlType.Q2_K),
        new("Q3_K_S", 11, GgmlType.Q3_K),
        new("Q3_K_M", 12, GgmlType.Q3_K),
        new("Q3_K_L", 13, GgmlType.Q3_K),
        new("Q4_K_S", 14, GgmlType.Q4_K),
        new("Q4_K_M", 15, GgmlType.Q4_K),
        new("Q5_K_S", 16, GgmlType.Q5_K),
        new("Q5_K_M", 17, GgmlType.Q5_K),
        new("Q6_K", 18, GgmlType.Q6_K),
        new("BF16", 32, GgmlType.BF16),
    ];

    public static FileType Parse(string name) =>
        All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? (string.Equals(name, "Q4_K", StringComparison.OrdinalIgnoreCase) ? Parse("Q4_K_M")
        : string.Equals(name, "Q5_K", StringComparison.OrdinalIgnoreCase) ? Parse("Q5_K_M")
        : string.Equals(name, "Q3_K", StringComparison.OrdinalIgnoreCase) ? Parse("Q3_K_M")
        : throw new ArgumentException($"unknown quantization type '{name}' (known: {string.Join(", ", All.Select(f => f.Name))})"));
}
