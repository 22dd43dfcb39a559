// Checkpoints whose config.json scales rope with computed tensors: Llama 3.1's llama3 scaling (rope_freqs) and
// Phi-3 128k's longrope (rope_factors_long/short, rope.scaling.attn_factor). The folder run in place, its conversion
// and llama.cpp on the conversion agree; the factors are checked against values computed here, and shown to matter.
using System.Text.Json.Nodes;
using Weft.Formats;
using Weft.Formats.Gguf;
using Weft.Models.Checkpoints;
using Weft.Models.Synthetic;
using Weft.Models.Transformer;
using Weft.Tensors;
using Weft.TestKit;
using Xunit.Abstractions;

namespace Weft.Models.Tests.Checkpoints;

public class RopeScalingCheckpointTests(ITestOutputHelper output)
{
    private const int PromptLength = 32;

    // Llama 3.1's settings (rope_theta 500000, factor 8, low 1, high 4, a 16× longer context than the original) with the
    // original context shrunk from 8192 to 64 positions, so that a 32-token prompt turns the scaled pairs visibly.
    private const int Llama3Original = 64;
    private static readonly SyntheticModelSpec Llama3Spec = new()
    {
        Name = "ck-llama3", Embedding = 128, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 256, Seed = 311,
        RopeBase = 500000f, Context = 16 * Llama3Original,
    };

    // Phi-3-mini-128k's shape (longrope, a 32× longer context than the original, long factors growing from about 1 to
    // about 60 towards the low frequencies, short factors from 1.05 to about 2) for 16 rotated pairs; the original
    // context is 16 positions, so a 32-token prompt uses the long factors in both engines.
    private const int PhiOriginal = 16;
    private static readonly float[] PhiLong = [1.08f, 1.11f, 1.14f, 1.34f, 1.59f, 1.6f, 1.62f, 2.65f, 7.98f, 9.63f, 13.4f, 22.3f, 33.4f, 46.2f, 52.4f, 61.9f];
    private static readonly float[] PhiShort = [1.05f, 1.05f, 1.05f, 1.1f, 1.1f, 1.15f, 1.2f, 1.25f, 1.3f, 1.45f, 1.6f, 1.75f, 1.9f, 2f, 2.05f, 2.1f];
    private static readonly SyntheticModelSpec PhiSpec = new SyntheticModelSpec
    {
        Name = "ck-phi-128k", Embedding = 128, Heads = 4, KvHeads = 4, Layers = 2, FeedForward = 256, Seed = 312,
    }.As("phi3") with { Context = 32 * PhiOriginal };

    private static (string Folder, string Gguf) Write(SyntheticModelSpec spec, string modelType, string name, Action<JsonObject> edit)
    {
        string gguf = TinyModels.Write(spec);
        string folder = Path.Combine(TinyModels.Folder, "hf", name);
        HfCheckpointWriter.Write(gguf, folder, modelType);
        string path = Path.Combine(folder, "config.json");
        var o = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(o);
        File.WriteAllText(path, o.ToJsonString());
        return (folder, gguf);
    }

    private static void Llama3(JsonObject o) => o["rope_scaling"] = new JsonObject
    {
        ["rope_type"] = "llama3", ["factor"] = 8.0, ["low_freq_factor"] = 1.0, ["high_freq_factor"] = 4.0,
        ["original_max_position_embeddings"] = Llama3Original,
    };

    private static void LongRope(JsonObject o)
    {
        o["original_max_position_embeddings"] = PhiOriginal;
        o["rope_scaling"] = new JsonObject
        {
            ["type"] = "longrope",
            ["long_factor"] = new JsonArray(PhiLong.Select(x => JsonValue.Create((double)x)).ToArray<JsonNode?>()),
            ["short_factor"] = new JsonArray(PhiShort.Select(x => JsonValue.Create((double)x)).ToArray<JsonNode?>()),
        };
    }

    /// <summary>Llama 3.1's divisors, computed in double precision from the rule.</summary>
    private static double[] ExpectedLlama3(int dim, double theta, double factor, double low, double high, double original)
    {
        var r = new double[dim / 2];
        for (int i = 0; i < r.Length; i++)
        {
            double wavelength = 2 * Math.PI * Math.Pow(theta, 2.0 * i / dim);
            if (wavelength < original / high) r[i] = 1;
            else if (wavelength > original / low) r[i] = factor;
            else
            {
                double smooth = (original / wavelength - low) / (high - low);
                r[i] = 1 / ((1 - smooth) / factor + smooth);
            }
        }
        return r;
    }

    private static float[] Values(GgufFile file, string name)
    {
        var t = file.FindTensor(name) ?? throw new Xunit.Sdk.XunitException($"{name} is missing from {file.Path}");
        Assert.Equal(GgmlType.F32, t.Type);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(file.TensorBytes(t)).ToArray();
    }

    /// <summary>The synthetic model's tensors come back unchanged; the only new ones are <paramref name="computed"/>.</summary>
    private static void AssertSameWeights(string gguf, string converted, params string[] computed)
    {
        using var expected = GgufFile.Open(gguf);
        using var actual = GgufFile.Open(converted);
        Assert.Equal(expected.Tensors.Select(t => t.Name).Concat(computed).Order(), actual.Tensors.Select(t => t.Name).Order());
        foreach (var t in expected.Tensors)
            Assert.True(expected.TensorBytes(t).SequenceEqual(actual.TensorBytes(actual.FindTensor(t.Name)!)), $"tensor {t.Name} differs");
    }

    private (Verdict InPlace, Verdict Converted, float[] Oracle) Agree(string label, string folder, string converted, SyntheticModelSpec spec, int[] ids)
    {
        var oracle = Oracle.Logits(converted, ids);
        var inPlace = Engine.Logits(folder, ids);
        var fromGguf = Engine.Logits(converted, ids);
        var v1 = Agreement.Check(oracle, inPlace, spec.VocabSize, "F32", () => oracle);
        var v2 = Agreement.Check(oracle, fromGguf, spec.VocabSize, "F32", () => oracle);
        output.WriteLine($"{label}: folder vs oracle {v1}; converted vs oracle {v2}");
        Assert.True(v1.Passed, "folder: " + v1);
        Assert.True(v2.Passed, "converted: " + v2);
        return (v1, v2, oracle);
    }

    [Fact]
    public void Llama3ScalingBecomesRopeFreqs()
    {
        var (folder, gguf) = Write(Llama3Spec, "llama", "llama3-rope", Llama3);
        string converted = folder + ".gguf";
        CheckpointConverter.Convert(folder, converted);
        AssertSameWeights(gguf, converted, TensorNames.RopeFrequencies);

        using (var file = GgufFile.Open(converted))
        {
            var factors = Values(file, TensorNames.RopeFrequencies);
            var expected = ExpectedLlama3(Llama3Spec.HeadWidth, 500000, 8, 1, 4, Llama3Original);
            output.WriteLine("rope_freqs: " + string.Join(" ", factors.Select(f => f.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture))));
            Assert.Equal(expected.Length, factors.Length);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], factors[i], expected[i] * 1e-5);
            Assert.Contains(expected, e => e == 1);
            Assert.Contains(expected, e => e == 8);
            Assert.Contains(expected, e => e is > 1 and < 8);
            // llama.cpp's converter writes no scaling metadata for llama3: the tensor is the whole of it.
            Assert.False(file.TryGet("llama.rope.scaling.type", out _));
            Assert.Equal(16 * Llama3Original, file.Get("llama.context_length").AsInt64("ctx"));
        }
        using (var model = Model.Load(folder))
            Assert.Equal(ExpectedLlama3(Llama3Spec.HeadWidth, 500000, 8, 1, 4, Llama3Original).Select(x => (float)x), model.Config.Rope.FreqFactors!,
                new FloatNear(1e-5f));

        var ids = TinyModels.RandomPrompt(Llama3Spec.VocabSize, PromptLength, Llama3Spec.Seed);
        var (v1, v2, oracle) = Agree("llama3", folder, converted, Llama3Spec, ids);
        // Without the factors (the synthetic model, same weights) the logits are far from llama.cpp's.
        double ignored = LogitMetrics.Nmse(oracle, Engine.Logits(gguf, ids));
        output.WriteLine($"llama3: NMSE with the factors ignored {ignored:E2}");
        Assert.True(ignored > 1e-3, $"ignoring rope_freqs changes the logits by an NMSE of only {ignored:E2}");
    }

    [Fact]
    public void Phi3LongRopeBecomesLongAndShortFactors()
    {
        // The folder's name becomes general.name; one holding "phi3" makes llama.cpp expect Phi-3's special tokens.
        var (folder, gguf) = Write(PhiSpec, "phi3", "phi-longrope", LongRope);
        string converted = folder + ".gguf";
        CheckpointConverter.Convert(folder, converted);
        AssertSameWeights(gguf, converted, TensorNames.RopeFactorsLong, TensorNames.RopeFactorsShort);

        using (var file = GgufFile.Open(converted))
        {
            Assert.Equal(PhiLong, Values(file, TensorNames.RopeFactorsLong));
            Assert.Equal(PhiShort, Values(file, TensorNames.RopeFactorsShort));
            Assert.Equal("longrope", file.Get("phi3.rope.scaling.type").AsString("type"));
            Assert.Equal(PhiOriginal, file.Get("phi3.rope.scaling.original_context_length").AsInt64("orig"));
            // sqrt(1 + ln(512 / 16) / ln(16)) = sqrt(1 + 5/4)
            Assert.Equal(1.5, file.Get("phi3.rope.scaling.attn_factor").AsDouble("attn"), 6);
        }

        var ids = TinyModels.RandomPrompt(PhiSpec.VocabSize, PromptLength, PhiSpec.Seed);
        var (v1, v2, oracle) = Agree("phi3 longrope", folder, converted, PhiSpec, ids);
        double ignored = LogitMetrics.Nmse(oracle, Engine.Logits(gguf, ids));
        // A context within the original one uses the short factors: the first positions then differ from the long run.
        int n = PhiOriginal;
        float[] shortRun;
        using (var model = Model.Load(folder))
        {
            var session = new DecoderSession(model, Engine.Pool, contextSize: n, maxBatch: n);
            shortRun = new float[n * PhiSpec.VocabSize];
            session.Evaluate(ids.AsSpan(0, n).ToArray(), shortRun, allLogits: true);
        }
        double shortVsLong = LogitMetrics.Nmse(oracle.AsSpan(0, n * PhiSpec.VocabSize), shortRun);
        output.WriteLine($"phi3 longrope: NMSE with the factors ignored {ignored:E2}; short factors vs long (first {n} positions) {shortVsLong:E2}");
        Assert.True(ignored > 1e-3, $"ignoring the rope factors changes the logits by an NMSE of only {ignored:E2}");
        Assert.True(shortVsLong > 1e-3, $"the short factors change the logits by an NMSE of only {shortVsLong:E2}");
    }

    private sealed class FloatNear(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance * Math.Max(1f, Math.Abs(a));
        public int GetHashCode(float x) => 0;
    }

    // Rope scalings the converter does not turn into anything the engine runs are refused, naming config.json's field.

    private static string Refused(SyntheticModelSpec spec, string modelType, string name, Action<JsonObject> edit)
    {
        var (folder, _) = Write(spec, modelType, name + "-" + Guid.NewGuid().ToString("N")[..6], edit);
        return folder;
    }

    [Fact]
    public void DynamicScalingIsRefused()
    {
        string folder = Refused(Llama3Spec, "llama", "rope-dynamic", o => o["rope_scaling"] = new JsonObject { ["type"] = "dynamic", ["factor"] = 2.0 });
        var e = Assert.Throws<UnsupportedModelException>(() => Model.Load(folder));
        Assert.Contains("config.json", e.Message);
        Assert.Contains("'rope_scaling'", e.Message);
        Assert.Contains("'dynamic'", e.Message);
        Assert.Throws<UnsupportedModelException>(() => CheckpointConverter.Convert(folder, folder + ".gguf"));
    }

    [Fact]
    public void Llama3ScalingOutsideTheLlamaFamilyIsRefused()
    {
        // llama.cpp's converter computes rope_freqs only for llama files; a qwen2 file would silently lose the scaling.
        string folder = Refused(FamilyDifferentialTests.Families["qwen2"][1], "qwen2", "rope-llama3-qwen2", Llama3);
        var e = Assert.Throws<UnsupportedModelException>(() => Model.Load(folder));
        Assert.Contains("config.json", e.Message);
        Assert.Contains("'llama3'", e.Message);
        Assert.Contains("'qwen2'", e.Message);
    }

    [Fact]
    public void LongRopeFactorsOfTheWrongLengthAreNamed()
    {
        string folder = Refused(PhiSpec, "phi3", "rope-longrope-short", o =>
        {
            LongRope(o);
            o["rope_scaling"]!["long_factor"] = new JsonArray(1.0, 2.0, 3.0);
        });
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(folder));
        Assert.Contains("config.json", e.Message);
        Assert.Contains("rope_scaling.long_factor", e.Message);
        Assert.Contains("16", e.Message);
    }
}
