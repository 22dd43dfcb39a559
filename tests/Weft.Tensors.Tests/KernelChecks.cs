// Every fast kernel against its scalar reference on random data: used in-process and in child processes.
using Weft.Tensors.Quantization;

namespace Weft.Tensors.Tests;

public static class KernelChecks
{
    /// <summary>Named checks; each returns failure messages (empty when the kernel agrees with its reference).</summary>
    public static readonly List<(string Name, Func<int, IEnumerable<string>> Check)> All = BuildAll();

    private static List<(string, Func<int, IEnumerable<string>>)> BuildAll()
    {
        var list = new List<(string, Func<int, IEnumerable<string>>)>();
        foreach (var type in QuantRegistry.Supported.OrderBy(t => (uint)t))
            list.Add(($"format {TypeTraits.NameOf(type)}", seed => FormatChecks.Check(QuantRegistry.Get(type), seed)));
        list.AddRange(HalfChecks.All);
        list.AddRange(ElementwiseChecks.All);
        list.AddRange(MatMulChecks.All);
        list.AddRange(PackingChecks.All);
        return list;
    }

    public static IEnumerable<string> Run(int seed)
    {
        foreach (var (name, check) in All)
            foreach (var failure in check(seed))
                yield return $"{name}: {failure}";
    }
}
