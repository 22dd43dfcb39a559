// The training matrix product against its double-precision definition: odd sizes (tile and vector tails), both
// accumulate modes, with and without worker threads; and again in a child process with intrinsics switched off.
using System.Diagnostics;
using System.Globalization;
using Weft.TestKit;
using Weft.Training.Ops;
using Xunit.Abstractions;

namespace Weft.Training.Tests;

public sealed class GemmTests(ITestOutputHelper output)
{
    /// <summary>Relative error allowed per output: float sums of up to a few hundred products in another order.</summary>
    private const double Tolerance = 1e-5;

    public static IEnumerable<string> Check(int seed)
    {
        var rng = new Random(seed);
        int[] sizes = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 130];
        for (int trial = 0; trial < 60; trial++)
        {
            int m = sizes[rng.Next(sizes.Length)], p = sizes[rng.Next(sizes.Length)], k = sizes[rng.Next(sizes.Length)];
            bool accumulate = rng.Next(2) == 0, threaded = rng.Next(2) == 0;
            var a = Random(rng, m * k);
            var b = Random(rng, p * k);
            var start = Random(rng, m * p);
            var expected = (float[])start.Clone();
            var actual = (float[])start.Clone();
            GemmReference.ABt(a, b, expected, m, p, k, accumulate);
            Gemm.ABt(threaded ? Engine.Pool : null, a, b, actual, m, p, k, accumulate);
            for (int i = 0; i < expected.Length; i++)
            {
                double scale = Math.Max(1, Math.Sqrt(k));
                if (Math.Abs(expected[i] - actual[i]) > Tolerance * scale * 4)
                {
                    yield return $"m {m} p {p} k {k} accumulate {accumulate} threaded {threaded}: [{i}] {actual[i]} expected {expected[i]}";
                    break;
                }
            }
        }
        // Transpose round trip.
        int rows = 37, cols = 19;
        var src = Random(rng, rows * cols);
        var t = new float[rows * cols];
        var back = new float[rows * cols];
        Gemm.Transpose(src, rows, cols, t);
        Gemm.Transpose(t, cols, rows, back);
        if (!src.SequenceEqual(back)) yield return "transpose twice is not the identity";
        if (t[5 * rows + 3] != src[3 * cols + 5]) yield return "transpose puts [3, 5] elsewhere";
    }

    private static float[] Random(Random rng, int n)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return v;
    }

    [Fact]
    public void Matches_the_reference_on_random_odd_sizes()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var failures = Check(seed).Take(10).ToList();
        Assert.True(failures.Count == 0, $"seed {seed}:\n" + string.Join("\n", failures));
    }

    [Theory]
    [InlineData("DOTNET_EnableAVX2")]
    [InlineData("DOTNET_EnableHWIntrinsic")]
    public void Matches_the_reference_with_intrinsics_off(string variable)
    {
        int seed = Environment.TickCount;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(GemmTests).Assembly.Location);
        psi.ArgumentList.Add("gemm-check");
        psi.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        psi.Environment[variable] = "0";
        using var proc = Process.Start(psi)!;
        string stdout = proc.StandardOutput.ReadToEnd(), stderr = proc.StandardError.ReadToEnd();
        Assert.True(proc.WaitForExit(300_000), "gemm-check did not finish in 5 minutes");
        output.WriteLine(stdout);
        Assert.True(proc.ExitCode == 0, $"{variable}=0: exit {proc.ExitCode}\n{stdout}\n{stderr}");
        Assert.Contains(": 0 failures", stdout, StringComparison.Ordinal);
    }
}
