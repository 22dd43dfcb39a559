// The registry of fuzz targets, looked up by name by the fuzzer, the seeding step and the regression tests.
// Building the list runs none of Weft's (instrumented) code: that may only run inside the fuzzer's loop.
using Weft.Fuzz.Targets;

namespace Weft.Fuzz;

public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        GgufTarget.Target,
        SafetensorsTarget.Target,
        SafetensorsIndexTarget.Target,
        TokenizerJsonTarget.Target,
        TokenizerConfigTarget.Target,
        SentencePieceTarget.Target,
        JinjaTarget.Target,
        GbnfTarget.Target,
        JsonSchemaTarget.Target,
        LoraTarget.Target,
        TaskFileTarget.Target,
    ];

    public static FuzzTarget Get(string name) => All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"no fuzz target '{name}' (known: {string.Join(", ", All.Select(t => t.Name))})");
}
