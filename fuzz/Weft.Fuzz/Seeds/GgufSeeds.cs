// GGUF seeds from our writers: tiny synthetic models of several families, and a LoRA adapter.
using Weft.Formats.Gguf;
using Weft.Models.Synthetic;

namespace Weft.Fuzz.Seeds;

public static class GgufSeeds
{
    private static readonly SyntheticModelSpec Tiny = new()
    {
        Embedding = 8, Layers = 1, Heads = 2, KvHeads = 1, FeedForward = 16, Vocab = 260, Context = 32,
        ChatTemplate = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}",
    };

    public static IEnumerable<byte[]> Models()
    {
        foreach (string family in new[] { "llama", "falcon", "gemma2", "phi3" })
            yield return Bytes(path => SyntheticModel.Write(Tiny.As(family), path));
        yield return Bytes(path => SyntheticModel.Write(Tiny with { Experts = 2, ExpertsUsed = 1 }, path));
    }

    public static byte[] Adapter()
    {
        var w = new GgufWriter()
            .Set("general.architecture", "llama").Set("general.type", "adapter")
            .Set("adapter.type", "lora").Set("adapter.lora.alpha", 8f);
        foreach (string proj in new[] { "attn_q", "attn_v" })
        {
            w.AddTensorF32($"blk.0.{proj}.weight.lora_a", [8, 2], new float[16]);
            w.AddTensorF32($"blk.0.{proj}.weight.lora_b", [2, 8], new float[16]);
        }
        return Bytes(w.Write);
    }

    public static byte[] Bytes(Action<string> write)
    {
        string path = Path.Combine(Path.GetTempPath(), $"weft-seed-{Environment.ProcessId}.gguf");
        try
        {
            write(path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
