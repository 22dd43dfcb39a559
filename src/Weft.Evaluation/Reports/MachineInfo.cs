// One line about the machine results were measured on, stored beside the speeds so numbers from elsewhere are not mixed up.
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Weft.Evaluation.Reports;

/// <summary>Describes this machine: CPU model, logical cores, the vector instruction sets .NET uses here, and RAM.</summary>
public static class MachineInfo
{
    /// <summary>For example "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz · 2 cores · AVX2 FMA AVX-512F · 7.8 GiB RAM".</summary>
    public static string Describe()
    {
        var isas = new List<string>();
        if (Avx2.IsSupported) isas.Add("AVX2");
        if (Fma.IsSupported) isas.Add("FMA");
        if (Avx512F.IsSupported) isas.Add("AVX-512F");
        if (AdvSimd.IsSupported) isas.Add("AdvSIMD");
        if (isas.Count == 0) isas.Add("no SIMD");
        var parts = new List<string> { CpuName(), $"{Environment.ProcessorCount} cores", string.Join(' ', isas) };
        if (RamBytes() is long ram and > 0) parts.Add($"{ram / (double)(1L << 30):0.0} GiB RAM");
        return string.Join(" · ", parts);
    }

    private static string CpuName()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                        return line[(colon + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString() + " CPU";
    }

    private static long? RamBytes()
    {
        try
        {
            if (File.Exists("/proc/meminfo"))
                foreach (string line in File.ReadLines("/proc/meminfo"))
                    if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                    {
                        string kb = line["MemTotal:".Length..].Replace("kB", "").Trim();
                        if (long.TryParse(kb, out long k)) return k * 1024;
                    }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        long gc = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return gc > 0 ? gc : null;
    }
}
