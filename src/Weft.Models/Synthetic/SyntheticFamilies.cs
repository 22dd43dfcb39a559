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
    };

    public static IEnumerable<string> Names => Presets.Keys;

    /// <summary>The spec laid out as <paramref name="architecture"/> writes its files.</summary>
    public static SyntheticModelSpec As(this SyntheticModelSpec s, string architecture) =>
        Presets.TryGetValue(architecture, out var preset)
            ? preset(s)
            : throw new ArgumentException($"no synthetic layout for architecture '{architecture}' (known: {string.Join(", ", Presets.Keys)})");
}
