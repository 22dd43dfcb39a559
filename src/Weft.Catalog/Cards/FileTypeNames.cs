// general.file_type values (llama.cpp's llama_ftype enum) and their names as GGUF file names spell them.
namespace Weft.Catalog.Cards;

/// <summary>Names of llama.cpp file types (general.file_type).</summary>
public static class FileTypeNames
{
    private static readonly Dictionary<long, string> Names = new()
    {
        [0] = "F32", [1] = "F16", [2] = "Q4_0", [3] = "Q4_1", [7] = "Q8_0", [8] = "Q5_0", [9] = "Q5_1",
        [10] = "Q2_K", [11] = "Q3_K_S", [12] = "Q3_K_M", [13] = "Q3_K_L", [14] = "Q4_K_S", [15] = "Q4_K_M",
        [16] = "Q5_K_S", [17] = "Q5_K_M", [18] = "Q6_K", [19] = "IQ2_XXS", [20] = "IQ2_XS", [21] = "Q2_K_S",
        [22] = "IQ3_XS", [23] = "IQ3_XXS", [24] = "IQ1_S", [25] = "IQ4_NL", [26] = "IQ3_S", [27] = "IQ3_M",
        [28] = "IQ2_S", [29] = "IQ2_M", [30] = "IQ4_XS", [31] = "IQ1_M", [32] = "BF16",
    };

    /// <summary>The name of a file type, or null when unknown.</summary>
    public static string? Of(long fileType) => Names.GetValueOrDefault(fileType);

    /// <summary>Average bits per weight of a quant type, for estimating a file's size when its publisher gives none (llama.cpp's quantize table, rounded).</summary>
    public static double? BitsPerWeight(string quant) => quant.ToUpperInvariant() switch
    {
        "F32" => 32, "F16" or "BF16" => 16, "Q8_0" => 8.5, "Q6_K" => 6.56, "Q5_K_M" => 5.69, "Q5_K_S" => 5.54,
        "Q5_0" => 5.5, "Q4_K_M" => 4.89, "Q4_K_S" => 4.58, "Q4_0" => 4.5, "Q3_K_M" => 3.91, "Q3_K_S" => 3.5,
        "Q2_K" => 2.96, "IQ4_XS" => 4.25,
        _ => null,
    };
}
