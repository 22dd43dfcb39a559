// Entry point: the test host ignores it; `dotnet Weft.Training.Tests.dll gemm-check SEED` runs the matrix-product
// check in this process, so a test can repeat it in a child with hardware intrinsics switched off.
namespace Weft.Training.Tests;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "gemm-check") return 0;
        int seed = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : Environment.TickCount;
        var failures = GemmTests.Check(seed).ToList();
        foreach (var f in failures) Console.WriteLine(f);
        Console.WriteLine($"gemm-check seed {seed}: {failures.Count} failures");
        return failures.Count == 0 ? 0 : 1;
    }
}
