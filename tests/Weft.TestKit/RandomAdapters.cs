// LoRA adapters with seeded random factors (B non-zero, unlike a fresh training run) for a base model's weights, in
// llama.cpp's adapter layout; for tests that need an adapter without training one.
using Weft.Formats.Gguf;
using Weft.Models;

namespace Weft.TestKit;

public static class RandomAdapters
{
    /// <summary>Writes an adapter for <paramref name="weights"/> of <paramref name="basePath"/>; A ~ N(0, 1/in), B ~ N(0, <paramref name="bStd"/>²).</summary>
    public static string Write(string basePath, IReadOnlyList<string> weights, int rank, float alpha, int seed, float bStd = 0.05f,
        string? architecture = null)
    {
        string path = Path.Combine(TinyModels.Folder, $"adapter-{Guid.NewGuid():N}.gguf");
        using var file = GgufFile.Open(basePath);
        var rng = new Random(seed);
        var w = new GgufWriter();
        w.Set(MetadataKeys.Architecture, architecture ?? file.Get(MetadataKeys.Architecture).AsString(MetadataKeys.Architecture));
        w.Set(MetadataKeys.GeneralType, "adapter");
        w.Set(MetadataKeys.AdapterType, "lora");
        w.Set(MetadataKeys.AdapterLoraAlpha, alpha);
        foreach (string name in weights)
        {
            var t = file.FindTensor(name) ?? throw new ArgumentException($"{basePath} has no tensor '{name}'");
            long cols = t.Shape[0], rows = t.Shape[1];
            w.AddTensorF32(TensorNames.LoraA(name), [cols, rank], Gaussian(rng, (int)(cols * rank), 1 / Math.Sqrt(cols)));
            w.AddTensorF32(TensorNames.LoraB(name), [rank, rows], Gaussian(rng, (int)(rank * rows), bStd));
        }
        w.Write(path);
        return path;
    }

    /// <summary>Every attention and feed-forward projection of every layer, plus the output head when the file has one.</summary>
    public static string[] AllProjections(string basePath)
    {
        using var file = GgufFile.Open(basePath);
        string[] suffixes = ["attn_q.weight", "attn_k.weight", "attn_v.weight", "attn_output.weight", "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight"];
        return file.Tensors.Select(t => t.Name)
            .Where(n => n == TensorNames.Output || (n.StartsWith("blk.", StringComparison.Ordinal) && suffixes.Any(s => n.EndsWith("." + s, StringComparison.Ordinal))))
            .ToArray();
    }

    private static float[] Gaussian(Random rng, int count, double std)
    {
        var v = new float[count];
        for (int i = 0; i < count; i++)
            v[i] = (float)(std * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return v;
    }
}
