// Entry point: the test host ignores it; `dotnet Weft.Tensors.Tests.dll kernel-check` runs every kernel
// check in this process, so a test can repeat them in a child with some hardware intrinsics switched off.
namespace Weft.Tensors.Tests;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "kernel-check") return 0;
        int seed = args.Length > 1 ? int.Parse(args[1]) : Environment.TickCount;
        var failures = KernelChecks.Run(seed).ToList();
        foreach (var f in failures) Console.WriteLine(f);
        Console.WriteLine($"kernel-check seed {seed}: {failures.Count} failures");
        return failures.Count == 0 ? 0 : 1;
    }
}
