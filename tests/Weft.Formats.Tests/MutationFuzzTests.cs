// Thousands of randomly damaged GGUF files: each is either read completely or refused with a ModelFormatException
// naming the problem — never another exception, a hang, or a read outside the file.
using System.Diagnostics;
using Weft.Formats.Gguf;
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.Models.Transformer;
using Weft.Tensors;
using Xunit.Abstractions;

namespace Weft.Formats.Tests;

public class MutationFuzzTests(ITestOutputHelper output)
{
    private const int Mutations = 2400;
    /// <summary>Reading one small damaged file takes milliseconds; anything near this is a hang.</summary>
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(2);

    private static readonly Lazy<(byte[] Bytes, int Header)[]> Seeds = new(BuildSeeds);

    private static (byte[] Bytes, int Header)[] BuildSeeds()
    {
        string dir = Path.Combine(Path.GetTempPath(), "weft-fuzz-seeds");
        Directory.CreateDirectory(dir);
        var metadataFile = new GgufWriter()
            .Set("general.architecture", "llama")
            .Set("u8", new GgufValue(GgufValueType.UInt8, (byte)7))
            .Set("i16", new GgufValue(GgufValueType.Int16, (short)-3))
            .Set("u64", GgufValue.Of(123UL))
            .Set("f64", GgufValue.Of(2.5))
            .Set("flag", true)
            .Set("name", "fuzz ✓")
            .Set("nested", new GgufValue(GgufValueType.Array, new GgufArray(GgufValueType.Array,
                new[] { new GgufArray(GgufValueType.String, new[] { "a", "bc" }), new GgufArray(GgufValueType.String, Array.Empty<string>()) })))
            .Set("floats", GgufValue.Of(new float[] { 1, 2, 3 }))
            .AddTensorF32("a", [8, 2], new float[16])
            .AddTensor("b", GgmlType.Q8_0, [32, 2], new byte[68])
            .AddTensor("c", GgmlType.Q4_K, [256], new byte[144]);
        string p1 = Path.Combine(dir, "metadata.gguf");
        metadataFile.Write(p1);
        string p2 = Path.Combine(dir, "model.gguf");
        SyntheticModel.Write(new SyntheticModelSpec { Name = "fuzz", Embedding = 32, Heads = 2, KvHeads = 1, Layers = 1, FeedForward = 32, Vocab = 272, Seed = 5 }, p2);
        return [(File.ReadAllBytes(p1), HeaderLength(p1)), (File.ReadAllBytes(p2), HeaderLength(p2))];
    }

    [Fact]
    public void DamagedFilesAreReadOrRefusedCleanly()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        string dir = Path.Combine(Path.GetTempPath(), $"weft-fuzz-{seed}");
        Directory.CreateDirectory(dir);
        int refused = 0, read = 0;
        try
        {
            for (int i = 0; i < Mutations; i++)
            {
                var (original, header) = Seeds.Value[i % Seeds.Value.Length];
                var (bytes, how) = Mutate(original, header, rng);
                string path = Path.Combine(dir, $"case-{i}.gguf");
                File.WriteAllBytes(path, bytes);
                var clock = Stopwatch.StartNew();
                try
                {
                    ReadEverything(path);
                    read++;
                }
                catch (ModelFormatException)
                {
                    refused++;
                }
                catch (UnsupportedModelException)
                {
                    refused++;
                }
                catch (Exception e)
                {
                    Assert.Fail($"seed {seed} case {i} ({how}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                }
                Assert.True(clock.Elapsed < CaseLimit, $"seed {seed} case {i} ({how}) took {clock.Elapsed}");
                File.Delete(path);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        output.WriteLine($"{read} read, {refused} refused");
        Assert.True(refused > Mutations / 4, "most mutations should be caught");
    }

    /// <summary>Reads every metadata value and every tensor byte; a model file is also loaded and run for two tokens.</summary>
    private static void ReadEverything(string path)
    {
        using (var file = GgufFile.Open(path))
        {
            foreach (var key in file.MetadataKeys) _ = file.Metadata[key].Display(int.MaxValue);
            long sum = 0;
            foreach (var t in file.Tensors)
                foreach (byte b in file.TensorBytes(t)) sum += b;
            _ = sum;
            if (file.FindTensor(TensorNames.TokenEmbedding) == null) return;
        }
        using var model = Model.Load(path);
        using var pool = new Weft.Tensors.Threading.WorkerPool(1);
        var session = new DecoderSession(model, pool, 8);
        session.Evaluate([1, 2], new float[model.Config.VocabSize]);
    }

    private static readonly ulong[] LyingValues = [0, 1, 2, 3, 4, 5, 31, 32, 33, 255, 256, 1UL << 31, 1UL << 32, 1UL << 40, 1UL << 62, 1UL << 63, ulong.MaxValue, ulong.MaxValue - 1];

    /// <summary>Most damage goes to the header (metadata and tensor table), where the claims are.</summary>
    private static (byte[] Bytes, string How) Mutate(byte[] original, int header, Random rng)
    {
        var b = (byte[])original.Clone();
        switch (rng.Next(5))
        {
            case 0:
                int flips = rng.Next(1, 9);
                for (int k = 0; k < flips; k++) b[rng.Next(header)] = (byte)rng.Next(256);
                return (b, $"{flips} random bytes");
            case 1:
                int cut = rng.Next(b.Length);
                return (b[..cut], $"truncated to {cut}");
            case 2:
            {
                int at = rng.Next(Math.Max(1, header - 8));
                ulong v = LyingValues[rng.Next(LyingValues.Length)];
                BitConverter.TryWriteBytes(b.AsSpan(at, 8), v);
                return (b, $"u64 {v} at {at}");
            }
            case 3:
            {
                int at = rng.Next(Math.Max(1, header - 4));
                uint v = (uint)LyingValues[rng.Next(LyingValues.Length)];
                BitConverter.TryWriteBytes(b.AsSpan(at, 4), v);
                return (b, $"u32 {v} at {at}");
            }
            default:
            {
                int at = rng.Next(Math.Max(1, header - 1));
                int delta = rng.Next(2) == 0 ? 1 : -1;
                b[at] = (byte)(b[at] + delta);
                return (b, $"off by {delta} at {at}");
            }
        }
    }

    private static int HeaderLength(string path)
    {
        using var g = GgufFile.Open(path);
        return (int)g.DataOffset;
    }
}
