// Each family's tensor layout as a synthetic-model preset: the flags SyntheticModel needs to write the tensors
// and metadata llama.cpp loads for that general.architecture. A new family adds one row.
namespace Weft.Models.Synthetic;

public static class SyntheticFamilies
{
    private static readonly Dictionary<string, Func<SyntheticModelSpec, SyntheticModelSpec>> Presets = new(StringComparer.Ordinal)
    {
        ["llama"] = s => s with { Architecture = "llama" },
        ["falcon"] = s => s with
        {
            Architecture = "falcon", LayerNorm = true, FusedQkv = true, ParallelResidual = true, GatedFfn = false,
        },
        ["qwen2"] = s => s with { Architecture = "qwen2", QkvBias = true },
        ["olmo"] = s => s with { Architecture = "olmo", NoNormWeights = true },
        ["olmo2"] = s => s with { Architecture = "olmo2", PreNorms = false, PostNorms = true, QkNorms = true },
        ["gemma2"] = s => s with { Architecture = "gemma2", PostNorms = true, TiedOutput = true },
        ["phi3"] = s => s with { Architecture = "phi3", FusedQkv = true, FusedGateUp = true },
    };

    public static IEnumerable<string> Names => Presets.Keys;

    /// <summary>The spec laid out as <paramref name="architecture"/> writes its files.</summary>
    public static SyntheticModelSpec As(this SyntheticModelSpec s, string architecture) =>
        Presets.TryGetValue(architecture, out var preset)
            ? preset(s)
            : throw new ArgumentException($"no synthetic layout for architecture '{architecture}' (known: {string.Join(", ", Presets.Keys)})");
}
