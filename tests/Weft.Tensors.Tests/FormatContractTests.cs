// Runs the kernel checks in this process (fresh seed each run) and in children with intrinsics switched off.
using System.Diagnostics;
using Xunit.Abstractions;

namespace Weft.Tensors.Tests;

public class KernelContractTests(ITestOutputHelper output)
{
    public static TheoryData<string> CheckNames()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in KernelChecks.All) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(CheckNames))]
    public void FastPathMatchesScalarReference(string name)
    {
        int seed = Environment.TickCount ^ name.GetHashCode(StringComparison.Ordinal);
        output.WriteLine($"seed {seed}");
        var check = KernelChecks.All.Single(c => c.Name == name).Check;
        var failures = check(seed).Take(10).ToList();
        Assert.True(failures.Count == 0, $"seed {seed}:\n" + string.Join("\n", failures));
    }

    [Theory]
    [InlineData("DOTNET_EnableAVX512F")]
    [InlineData("DOTNET_EnableAVX2")]
    [InlineData("DOTNET_EnableHWIntrinsic")]
    public void FastPathMatchesScalarReferenceWithIntrinsicsOff(string variable)
    {
        string dll = typeof(KernelChecks).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("kernel-check");
        psi.Environment[variable] = "0";
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(300_000), "kernel-check did not finish in 5 minutes");
        output.WriteLine(stdout);
        Assert.True(p.ExitCode == 0, $"{variable}=0: exit {p.ExitCode}\n{stdout}\n{stderr}");
        Assert.Contains(": 0 failures", stdout, StringComparison.Ordinal);
    }
}
