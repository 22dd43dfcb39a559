// Cost formulas and the machine line.
using Weft.Evaluation.Reports;

namespace Weft.Evaluation.Tests.Reports;

public sealed class CostAndMachineTests
{
    [Theory]
    [InlineData(0.10, 100.0)]
    [InlineData(3.6, 1.0)]
    [InlineData(1.0, 2500.0)]
    public void Per_million_spreads_the_hourly_price_over_the_tokens_of_an_hour(double price, double tps)
    {
        double tokensPerHour = tps * 3600;
        Assert.Equal(price / tokensPerHour * 1_000_000, Cost.PerMillion(price, tps), 9);
    }

    [Fact]
    public void Per_million_refuses_impossible_speeds()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Cost.PerMillion(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cost.PerMillion(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cost.PerMillion(1, double.NaN));
    }

    [Fact]
    public void Blended_weighs_input_three_to_one()
    {
        Assert.Equal(1.5, Cost.Blended(1, 3));
        Assert.Equal(2.0, Cost.Blended(2, 2));
        Assert.Equal(0.75, Cost.Blended(1, 0));
    }

    [Fact]
    public void Machine_line_names_cores_and_instruction_sets()
    {
        string line = MachineInfo.Describe();
        Assert.Contains($"{Environment.ProcessorCount} cores", line);
        bool anyIsa = System.Runtime.Intrinsics.X86.Avx2.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx2.IsSupported, line.Contains("AVX2"));
        if (!anyIsa) Assert.Contains("no SIMD", line);
        if (File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name")) is { } cpu)
            Assert.StartsWith(cpu[(cpu.IndexOf(':') + 1)..].Trim(), line);
    }
}
