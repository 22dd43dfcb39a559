// A fully trained model as a llama-architecture GGUF file llama.cpp and Weft both load: hyperparameters, the
// tokenizer, general.* facts, matrices in F32 or F16 and norm weights in F32. Written to a temp name, then renamed.
using Weft.Formats.Gguf;
using Weft.Models;
using Weft.Models.Loading;
using Weft.Tensors;
using Weft.Tokenizers;
using Weft.Training.Modeling;

namespace Weft.Training.Pretraining;

public static class ModelExport
{
    public static void Write(string path, TrainingModel<float> model, VocabularySpec vocabulary, string name, bool f16,
        IReadOnlyDictionary<string, string>? general = null, string? chatTemplate = null)
    {
        var c = model.Config;
        const string arch = "llama";
        var w = new GgufWriter();
        w.Set(MetadataKeys.Architecture, arch);
        w.Set(MetadataKeys.Name, name);
        foreach (var (k, v) in general ?? new Dictionary<string, string>()) w.Set("general." + k, v);
        w.Set(MetadataKeys.FileType, f16 ? 1u : 0u);
        w.Set(MetadataKeys.ContextLength(arch), (uint)c.TrainContextLength);
        w.Set(MetadataKeys.EmbeddingLength(arch), (uint)c.EmbeddingLength);
        w.Set(MetadataKeys.BlockCount(arch), (uint)c.LayerCount);
        w.Set(MetadataKeys.FeedForwardLength(arch), (uint)c.FeedForwardLength);
        w.Set(MetadataKeys.HeadCount(arch), (uint)c.HeadCount);
        w.Set(MetadataKeys.HeadCountKv(arch), (uint)c.KvHeadCount);
        w.Set(MetadataKeys.RopeDimensionCount(arch), (uint)c.Rope.Dims);
        w.Set(MetadataKeys.RopeFreqBase(arch), c.Rope.FreqBase);
        w.Set(MetadataKeys.RmsEpsilon(arch), c.NormEpsilon);
        w.Set(MetadataKeys.VocabSize(arch), (uint)c.VocabSize);
        foreach (var kv in TokenizerMetadata.ToGguf(vocabulary, chatTemplate)) w.Set(kv.Key, kv.Value);
        foreach (var p in model.Parameters)
        {
            long[] shape = p.Shape.Reverse().Select(s => (long)s).ToArray(); // GGUF lists the innermost dimension first
            if (f16 && p.Shape.Length == 2) w.AddTensor(p.Name, GgmlType.F16, shape, ToHalfBytes(p.Value));
            else w.AddTensorF32(p.Name, shape, p.Value);
        }
        w.Write(path);
    }

    private static byte[] ToHalfBytes(float[] v)
    {
        var bytes = new byte[v.Length * 2];
        for (int i = 0; i < v.Length; i++)
        {
            ushort h = BitConverter.HalfToUInt16Bits((Half)v[i]);
            bytes[2 * i] = (byte)h;
            bytes[2 * i + 1] = (byte)(h >> 8);
        }
        return bytes;
    }
}
