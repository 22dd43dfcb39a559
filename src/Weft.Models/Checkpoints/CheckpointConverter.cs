// A Hugging Face checkpoint folder → a GGUF file as llama.cpp's converter writes it: its metadata keys, tensor names
// and shapes, tokenizer.ggml.* and the chat template, Q/K rows permuted into llama.cpp's interleaved order for the
// families that use its normal rope, 1-D tensors in F32. Quantized types go through ModelQuantizer afterwards.
using Weft.Formats.Gguf;
using Weft.Models.Architectures;
using Weft.Models.Loading;
using Weft.Models.Quantization;
using Weft.Tensors;
using Weft.Tensors.Kernels;
using Weft.Tensors.Quantization;

namespace Weft.Models.Checkpoints;

public static class CheckpointConverter
{
    /// <param name="type">"auto" (each matrix keeps its stored type), "f32", "f16", "bf16", or a recipe of
    /// <see cref="FileType"/> (q8_0, q4_k_m, …).</param>
    /// <param name="progress">called after each tensor with (done, total, name, type written).</param>
    public static void Convert(string folder, string output, string type = "auto", Action<int, int, string, GgmlType>? progress = null)
    {
        string t = type.ToLowerInvariant();
        if (t is "auto" or "f32" or "f16" or "bf16")
        {
            WriteFloat(folder, output, t, progress);
            return;
        }
        var fileType = FileType.Parse(type);
        string tmp = output + ".f32-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            WriteFloat(folder, tmp, "f32", null);
            ModelQuantizer.Quantize(tmp, output, fileType, progress: progress);
        }
        finally
        {
            try { File.Delete(tmp); } catch (IOException) { }
        }
    }

    private static unsafe void WriteFloat(string folder, string output, string type, Action<int, int, string, GgmlType>? progress)
    {
        using var source = CheckpointSource.Open(folder);
        // Reading the config and weights as the engine would checks every shape against config.json first.
        var meta = new MetadataReader(source);
        var arch = ArchitectureRegistry.Get(meta.String(MetadataKeys.Architecture), folder);
        var config = arch.ReadConfig(meta);
        arch.LoadWeights(new WeightLoader(source), config);
        bool permute = config.RopeStyle == RopeStyle.Normal;

        GgmlType? forced = type switch { "f32" => GgmlType.F32, "f16" => GgmlType.F16, "bf16" => GgmlType.BF16, _ => null };
        var embType = source.FindTensor(TensorNames.TokenEmbedding)?.Type ?? GgmlType.F32;
        var fileType = (forced ?? embType) switch { GgmlType.F16 => 1u, GgmlType.BF16 => 32u, _ => 0u };

        var w = new GgufWriter();
        foreach (string key in source.MetadataKeys)
        {
            w.Set(key, source.Metadata[key]);
            if (key == MetadataKeys.Name) w.Set(MetadataKeys.FileType, fileType);
        }
        int done = 0, total = source.Tensors.Count;
        foreach (var st in source.Tensors)
        {
            var target = st.Shape.Length == 1 ? GgmlType.F32 : forced ?? st.Type;
            int heads = 0;
            if (permute && IsLayer(st.Name, TensorNames.AttnQ, TensorNames.AttnQBias, config.LayerCount)) heads = config.HeadCount;
            if (permute && IsLayer(st.Name, TensorNames.AttnK, TensorNames.AttnKBias, config.LayerCount)) heads = config.KvHeadCount;
            var tensor = st;
            int h = heads;
            w.AddTensor(st.Name, target, st.Shape, s =>
            {
                Write(tensor, target, h, s);
                progress?.Invoke(++done, total, tensor.Name, target);
            });
        }
        w.Write(output);
    }

    private static bool IsLayer(string name, Func<int, string> weight, Func<int, string> bias, int layers)
    {
        if (!name.StartsWith("blk.", StringComparison.Ordinal)) return false;
        int dot = name.IndexOf('.', 4);
        return dot > 0 && int.TryParse(name.AsSpan(4, dot - 4), out int l) && l < layers && (name == weight(l) || name == bias(l));
    }

    /// <summary>Writes the tensor's rows (a row is one element for 1-D tensors), re-encoded to <paramref name="target"/>;
    /// with <paramref name="heads"/> &gt; 0 each head's rows are reordered from rotate-half pairs (i, i + d/2) to
    /// interleaved pairs (2i, 2i + 1).</summary>
    private static unsafe void Write(SourceTensor t, GgmlType target, int heads, Stream s)
    {
        bool vector = t.Shape.Length == 1;
        int cols = vector ? 1 : (int)t.RowLength;
        long rows = vector ? t.Shape[0] : t.RowCount;
        var from = QuantRegistry.Get(t.Type);
        var to = QuantRegistry.Get(target);
        long inRow = from.RowBytes(cols), outRow = to.RowBytes(cols);
        long rowsPerPart = rows / t.Parts.Length;
        int headRows = heads > 0 ? (int)(rows / heads) : 0;
        var f = new float[cols];
        var encoded = new byte[outRow];
        for (long r = 0; r < rows; r++)
        {
            long src = r;
            if (heads > 0)
            {
                long h = r / headRows;
                int j = (int)(r % headRows), i = j / 2, b = j % 2;
                src = h * headRows + b * (headRows / 2) + i;
            }
            byte* p = (byte*)t.Parts[src / rowsPerPart] + src % rowsPerPart * inRow;
            var bytes = new ReadOnlySpan<byte>(p, (int)inRow);
            if (t.Type == target)
            {
                s.Write(bytes);
                continue;
            }
            from.Dequantize(bytes, f);
            to.Quantize(f, encoded);
            s.Write(encoded);
        }
    }
}
