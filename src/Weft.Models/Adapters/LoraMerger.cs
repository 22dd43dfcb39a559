// Bakes LoRA adapters into a model: every adapted weight becomes W' = W + Σ scale·B·A (decoded row by row, the update
// added, re-encoded in the weight's own type or the one asked for); every other tensor and all metadata are copied
// byte for byte. llama.cpp's export-lora does the same.
using Weft.Formats.Gguf;
using Weft.Models.Loading;
using Weft.Models.Quantization;
using Weft.Tensors;
using Weft.Tensors.Kernels;
using Weft.Tensors.Quantization;

namespace Weft.Models.Adapters;

public static class LoraMerger
{
    /// <summary>One adapter's update of one weight, decoded: A [rank, in], B [out, rank].</summary>
    private sealed record Update(float[] A, float[] B, int Rank, float Scale);

    /// <param name="type">the type of the merged weights; null keeps each weight's own.</param>
    /// <param name="progress">called after each tensor with (tensors done, tensor count, name, whether it was merged).</param>
    public static void Merge(string basePath, IReadOnlyList<LoraSpec> adapters, string output, GgmlType? type = null,
        Action<int, int, string, bool>? progress = null)
    {
        if (adapters.Count == 0) throw new ArgumentException("no adapter to merge");
        if (Path.GetFullPath(basePath) == Path.GetFullPath(output) || adapters.Any(a => Path.GetFullPath(a.Path) == Path.GetFullPath(output)))
            throw new ArgumentException("the output file must differ from the base model and the adapters");
        if (type is GgmlType t0 && (!QuantRegistry.IsSupported(t0) || !QuantRegistry.Get(t0).CanQuantize))
            throw new ArgumentException($"cannot write tensors of type {TypeTraits.NameOf(t0)}");
        using var file = GgufFile.Open(basePath);
        using var source = new GgufSource(file, owns: false);
        var updates = ReadUpdates(source, adapters);

        var writer = new GgufWriter();
        writer.CopyMetadata(file);
        int done = 0;
        foreach (var t in file.Tensors)
        {
            var info = t;
            if (updates.TryGetValue(t.Name, out var list))
            {
                var target = type ?? t.Type;
                if (!QuantRegistry.IsSupported(target) || !QuantRegistry.Get(target).CanQuantize)
                    throw new NotSupportedException($"'{t.Name}' is stored as {TypeTraits.NameOf(target)}, which Weft cannot write; choose another type with --type");
                if (t.RowLength % TypeTraits.Of(target).BlockSize != 0)
                    throw new ArgumentException($"'{t.Name}' has rows of {t.RowLength} values, not whole blocks of {TypeTraits.NameOf(target)} ({TypeTraits.Of(target).BlockSize}); choose another --type");
                writer.AddTensor(t.Name, target, t.Shape, s =>
                {
                    WriteMerged(file, info, target, list, s);
                    progress?.Invoke(++done, file.Tensors.Count, info.Name, true);
                });
            }
            else
            {
                writer.AddTensor(t.Name, t.Type, t.Shape, s =>
                {
                    Copy(file, info, s);
                    progress?.Invoke(++done, file.Tensors.Count, info.Name, false);
                });
            }
        }
        writer.Write(output);
    }

    /// <summary>Each adapter checked against the base and decoded, by adapted weight name.</summary>
    private static Dictionary<string, List<Update>> ReadUpdates(ModelSource source, IReadOnlyList<LoraSpec> adapters)
    {
        var updates = new Dictionary<string, List<Update>>(StringComparer.Ordinal);
        foreach (var spec in adapters)
        {
            using var adapter = LoraAdapterFile.Open(spec.Path);
            adapter.CheckFits(source);
            foreach (var p in adapter.Pairs)
            {
                // llama.cpp stores the embedding's factors flipped (B [rank, vocab] gathered by row); not merged here.
                if (p.Weight == TensorNames.TokenEmbedding)
                    throw new AdapterException($"{spec.Path} adapts '{p.Weight}', whose factors llama.cpp lays out differently; Weft does not merge embedding adapters");
                var a = Decode(adapter.MatrixA(p));
                var b = Decode(adapter.MatrixB(p));
                if (!updates.TryGetValue(p.Weight, out var list)) updates[p.Weight] = list = [];
                list.Add(new Update(a, b, p.Rank, adapter.Scale(p, spec.Scale)));
            }
        }
        return updates;
    }

    private static float[] Decode(QMatrix m)
    {
        var values = new float[(long)m.Rows * m.Cols];
        for (int r = 0; r < m.Rows; r++) m.DequantizeRow(r, values.AsSpan(r * m.Cols, m.Cols));
        return values;
    }

    private static unsafe void Copy(GgufFile file, GgufTensorInfo t, Stream s)
    {
        byte* p = file.DataPointer(t);
        for (long off = 0; off < t.ByteSize; off += 1 << 24)
            s.Write(new ReadOnlySpan<byte>(p + off, (int)Math.Min(1 << 24, t.ByteSize - off)));
    }

    /// <summary>Rows of W + Σ scale·B·A in <paramref name="target"/>'s encoding.</summary>
    private static void WriteMerged(GgufFile file, GgufTensorInfo t, GgmlType target, List<Update> updates, Stream s)
    {
        int cols = (int)t.RowLength;
        ModelQuantizer.Reencode(file, t, target, (o, row) =>
        {
            // row o of B·A: Σ_r B[o, r] · A[r, :]
            foreach (var u in updates)
                for (int r = 0; r < u.Rank; r++)
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(u.A.AsSpan(r * cols, cols), u.Scale * u.B[o * u.Rank + r], row, row);
        }, s);
    }
}
