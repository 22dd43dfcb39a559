// Sandbox limits of one render: evaluation steps, output size, nesting depth.
namespace Weft.Inference.Templates;

public sealed record RenderLimits
{
    public static readonly RenderLimits Default = new();

    /// <summary>Statements, expressions and loop iterations evaluated, in total.</summary>
    public long MaxSteps { get; init; } = 1_000_000;

    /// <summary>Characters (UTF-16 units) of output, including macro and block-set buffers.</summary>
    public long MaxOutputChars { get; init; } = 16L << 20;

    /// <summary>Nested macro calls, recursive loops and nested blocks.</summary>
    public int MaxDepth { get; init; } = 200;
}
