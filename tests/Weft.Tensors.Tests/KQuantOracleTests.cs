// K-quants against independent implementations: gguf-py's numpy decoders (llama.cpp's Python package) for the
// block layouts, and llama.cpp's own quantizer (through refharness) for the weight quantization algorithms.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Weft.Tensors.Quantization;
using Xunit.Abstractions;

namespace Weft.Tensors.Tests;

public class KQuantOracleTests(ITestOutputHelper output)
{
    private static readonly GgmlType[] KTypes = [GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K];

    /// <summary>Rows of several shapes: gaussian at many scales, all positive, zero groups, outliers, tiny and huge values.</summary>
    private static float[] VariedRows(Random rng, int blocks)
    {
        var x = new float[blocks * 256];
        for (int b = 0; b < blocks; b++)
        {
            var s = x.AsSpan(b * 256, 256);
            float scale = (float)Math.Exp(rng.NextDouble() * 12 - 8);
            for (int i = 0; i < 256; i++) s[i] = (float)FormatChecks.Gaussian(rng) * scale;
            switch (b % 8)
            {
                case 1: for (int i = 0; i < 256; i++) s[i] = MathF.Abs(s[i]) + scale; break;
                case 2: s[..(16 * (1 + rng.Next(8)))].Clear(); break;
                case 3: s[rng.Next(256)] *= 50; break;
                case 4: for (int i = 0; i < 256; i++) s[i] *= 1e-6f; break;
                case 5: for (int i = 0; i < 256; i++) s[i] = -MathF.Abs(s[i]); break;
                case 6: for (int i = 0; i < 256; i++) s[i] = (float)(rng.NextDouble() * 2 - 1) * 300; break;
                case 7: if (b % 16 == 7) s.Clear(); break;
            }
        }
        return x;
    }

    /// <summary>Random bytes, with every float16 or float32 scale field replaced by a finite random value.</summary>
    private static byte[] RandomBlocks(Random rng, GgmlType type, int blocks)
    {
        var f = QuantRegistry.Get(type);
        var bytes = new byte[blocks * f.BlockBytes];
        rng.NextBytes(bytes);
        int[] halfFields = type switch
        {
            GgmlType.Q2_K => [80, 82],
            GgmlType.Q3_K => [108],
            GgmlType.Q4_K or GgmlType.Q5_K => [0, 2],
            GgmlType.Q6_K => [208],
            _ => [],
        };
        for (int b = 0; b < blocks; b++)
        {
            int o = b * f.BlockBytes;
            foreach (int h in halfFields)
            {
                var v = (Half)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-20, 10)));
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(o + h), BitConverter.HalfToUInt16Bits(v));
            }
            if (type == GgmlType.Q8_K)
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(o), (float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-30, 10))));
        }
        return bytes;
    }

    private static int UlpDistance(float a, float b)
    {
        if (a == b) return 0;
        int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        if (ia < 0) ia = int.MinValue - ia;
        if (ib < 0) ib = int.MinValue - ib;
        long d = Math.Abs((long)ia - ib);
        return d > int.MaxValue ? int.MaxValue : (int)d;
    }

    [Fact]
    public void DequantizeMatchesGgufPy()
    {
        LlamaCppOracle.RequireGgufPy();
        using var dir = new LlamaCppOracle.TempDir();
        var rng = new Random(31337);
        var blocksByType = new Dictionary<GgmlType, byte[]>();
        foreach (var type in KTypes)
        {
            var f = QuantRegistry.Get(type);
            const int quantizedBlocks = 96, randomBlocks = 64;
            var q = new byte[(quantizedBlocks + randomBlocks) * f.BlockBytes];
            f.QuantizeReference(VariedRows(rng, quantizedBlocks), q.AsSpan(0, quantizedBlocks * f.BlockBytes));
            RandomBlocks(rng, type, randomBlocks).CopyTo(q, quantizedBlocks * f.BlockBytes);
            blocksByType[type] = q;
            File.WriteAllBytes(dir.File($"{TypeTraits.NameOf(type)}.q"), q);
        }

        LlamaCppOracle.RunScript("gguf_dequant.py", dir.Path);

        var failures = new List<string>();
        foreach (var (type, q) in blocksByType)
        {
            var f = QuantRegistry.Get(type);
            string name = TypeTraits.NameOf(type);
            var theirs = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(dir.File($"{name}.f32"))).ToArray();
            int n = q.Length / f.BlockBytes * 256;
            Assert.Equal(n, theirs.Length);
            var reference = new float[n];
            var fast = new float[n];
            f.DequantizeReference(q, reference);
            f.Dequantize(q, fast);
            int exact = 0, oneUlp = 0, worse = 0;
            for (int i = 0; i < n; i++)
            {
                bool bothNaN = float.IsNaN(reference[i]) && float.IsNaN(theirs[i]);
                int ulp = bothNaN ? 0 : UlpDistance(reference[i], theirs[i]);
                if (ulp == 0) exact++;
                else if (ulp == 1) oneUlp++;
                else if (worse++ < 5) failures.Add($"{name}[{i}] (block {i / 256}): ours {reference[i]}, gguf-py {theirs[i]}");
                if (BitConverter.SingleToInt32Bits(fast[i]) != BitConverter.SingleToInt32Bits(reference[i]) && !bothNaN)
                    failures.Add($"{name}[{i}]: fast {fast[i]} differs from reference {reference[i]}");
            }
            output.WriteLine($"{name}: {n} values, {exact} bit-identical to gguf-py, {oneUlp} within 1 ulp, {worse} further apart");
        }
        string support = File.ReadAllText(dir.File("quantize_support.txt")).Trim();
        output.WriteLine($"gguf.quants can quantize: [{support}] (K types without a Python quantizer are checked against llama.cpp's in QuantizeMatchesLlamaCpp)");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    /// <summary>llama.cpp ftype names whose --pure quantization stores every 2-D tensor in the K type.</summary>
    private static readonly (string Ftype, GgmlType Type)[] PureFtypes =
    [
        ("Q2_K", GgmlType.Q2_K), ("Q3_K_S", GgmlType.Q3_K), ("Q4_K_S", GgmlType.Q4_K), ("Q5_K_S", GgmlType.Q5_K), ("Q6_K", GgmlType.Q6_K),
    ];

    [Fact]
    public void QuantizeMatchesLlamaCpp()
    {
        LlamaCppOracle.RequireRefharness();
        using var dir = new LlamaCppOracle.TempDir();
        var args = new List<string> { dir.Path, LlamaCppOracle.Refharness };
        args.AddRange(PureFtypes.Select(p => p.Ftype));
        LlamaCppOracle.RunScript("llama_kquant_oracle.py", [.. args]);

        var failures = new List<string>();
        var seen = new HashSet<GgmlType>();
        var stats = new Dictionary<GgmlType, (int Blocks, int Identical)>();
        foreach (var line in File.ReadAllLines(dir.File("manifest.txt")).Where(l => l.Length > 0))
        {
            var parts = line.Split(' ');
            Assert.True(TypeTraits.TryParse(parts[0], out var type), $"unknown type in manifest: {line}");
            string tensor = parts[1];
            int rows = int.Parse(parts[2]), cols = int.Parse(parts[3]);
            var f = QuantRegistry.Get(type);
            var x = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(dir.File($"{parts[0]}.{tensor}.f32"))).ToArray();
            var theirs = File.ReadAllBytes(dir.File($"{parts[0]}.{tensor}.q"));
            long rowBytes = f.RowBytes(cols);
            Assert.Equal(rows * cols, x.Length);
            Assert.Equal(rows * rowBytes, theirs.Length);
            var ours = new byte[theirs.Length];
            var oursFast = new byte[theirs.Length];
            for (int r = 0; r < rows; r++)
            {
                f.QuantizeReference(x.AsSpan(r * cols, cols), ours.AsSpan((int)(r * rowBytes), (int)rowBytes));
                f.Quantize(x.AsSpan(r * cols, cols), oursFast.AsSpan((int)(r * rowBytes), (int)rowBytes));
            }
            seen.Add(type);
            int blocks = theirs.Length / f.BlockBytes, identical = 0;
            for (int b = 0; b < blocks; b++)
            {
                var mine = ours.AsSpan(b * f.BlockBytes, f.BlockBytes);
                if (mine.SequenceEqual(theirs.AsSpan(b * f.BlockBytes, f.BlockBytes))) identical++;
                else if (failures.Count < 20) failures.Add($"{parts[0]} {tensor} block {b} (row {b / (cols / 256)}) differs from llama.cpp's");
            }
            if (!ours.AsSpan().SequenceEqual(oursFast))
                failures.Add($"{parts[0]} {tensor}: Quantize differs from QuantizeReference");
            var (sb, si) = stats.GetValueOrDefault(type);
            stats[type] = (sb + blocks, si + identical);
        }
        foreach (var (type, (blocks, identical)) in stats.OrderBy(s => s.Key))
            output.WriteLine($"{TypeTraits.NameOf(type)}: {identical} of {blocks} blocks byte-identical to llama.cpp's quantizer");
        foreach (var (ftype, type) in PureFtypes)
            if (!seen.Contains(type)) failures.Add($"llama.cpp's {ftype} output held no {TypeTraits.NameOf(type)} tensors");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
