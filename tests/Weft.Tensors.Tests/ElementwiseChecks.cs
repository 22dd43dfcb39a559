// Fast element-wise kernels (norms, softmax, rope, activations) against float64 references.
namespace Weft.Tensors.Tests;

public static class ElementwiseChecks
{
    public static readonly List<(string, Func<int, IEnumerable<string>>)> All = new();
}
