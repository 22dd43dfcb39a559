// Converts a GGUF model to another recipe: every tensor decoded row by row to float32 and re-encoded,
// streamed into a new file written under a temporary name.
using Weft.Formats.Gguf;
using Weft.Models.Loading;
using Weft.Tensors;
using Weft.Tensors.Quantization;

namespace Weft.Models.Quantization;

public static class ModelQuantizer
{
    /// <param name="progress">called after each tensor with (tensors done, tensor count, name, chosen type).</param>
    public static void Quantize(string input, string output, FileType fileType, bool pure = false,
        Action<int, int, string, GgmlType>? progress = null)
    {
        if (Path.GetFullPath(input) == Path.GetFullPath(output))
            throw new ArgumentException("the output file must differ from the input file");
        using var file = GgufFile.Open(input);
        using var view = new GgufSource(file, owns: false);
        var meta = new MetadataReader(view);
        string arch = meta.String(MetadataKeys.Architecture);
        int layers = meta.Int(MetadataKeys.BlockCount(arch), 1, 1 << 16);
        int experts = meta.Int(MetadataKeys.ExpertCount(arch), 0, 0, 1 << 16);
        int heads = meta.UniformInt(MetadataKeys.HeadCount(arch), 1, 1, 1 << 16);
        int kvHeads = meta.UniformInt(MetadataKeys.HeadCountKv(arch), heads, 1, 1 << 16);
        var names = file.Tensors.Select(t => t.Name).ToList();
        var recipe = new QuantizationRecipe(fileType, names, layers, experts, heads / kvHeads, pure);

        var writer = new GgufWriter();
        writer.CopyMetadata(file, k => k != MetadataKeys.FileType && k != MetadataKeys.QuantizationVersion);
        writer.Set(MetadataKeys.FileType, (uint)fileType.Id);
        writer.Set(MetadataKeys.QuantizationVersion, 2u);
        int done = 0;
        foreach (var t in file.Tensors)
        {
            var target = recipe.TypeFor(t.Name, t.Type, t.Shape);
            var source = t;
            writer.AddTensor(t.Name, target, t.Shape, s =>
            {
                Convert(file, source, target, s);
                progress?.Invoke(++done, file.Tensors.Count, source.Name, target);
            });
        }
        writer.Write(output);
    }

    private static unsafe void Convert(GgufFile file, GgufTensorInfo t, GgmlType target, Stream s)
    {
        if (t.Type == target)
        {
            // Copied as is, in pieces small enough for a span.
            byte* p = file.DataPointer(t);
            for (long off = 0; off < t.ByteSize; off += 1 << 24)
                s.Write(new ReadOnlySpan<byte>(p + off, (int)Math.Min(1 << 24, t.ByteSize - off)));
            return;
        }
        Reencode(file, t, target, null, s);
    }

    /// <summary>Writes tensor <paramref name="t"/> in <paramref name="target"/>'s encoding: each row decoded to float,
    /// changed by <paramref name="edit"/> (row index, values) if given, encoded again; rows are encoded in parallel, a
    /// slab at a time, and written in order.</summary>
    public static unsafe void Reencode(GgufFile file, GgufTensorInfo t, GgmlType target, Action<long, float[]>? edit, Stream s)
    {
        var from = QuantRegistry.Get(t.Type);
        var to = QuantRegistry.Get(target);
        if (!to.CanQuantize) throw new NotSupportedException($"cannot write tensors of type {TypeTraits.NameOf(target)}");
        int cols = (int)t.RowLength;
        long rows = t.RowCount;
        long inRow = from.RowBytes(cols), outRow = to.RowBytes(cols);
        int slab = (int)Math.Max(1, Math.Min(rows, (8 << 20) / Math.Max(outRow, 1)));
        var encoded = new byte[slab * outRow];
        byte* src = file.DataPointer(t);
        for (long first = 0; first < rows; first += slab)
        {
            int n = (int)Math.Min(slab, rows - first);
            long start = first;
            Parallel.For(0, n, () => new float[cols], (i, _, row) =>
            {
                from.Dequantize(new ReadOnlySpan<byte>(src + (start + i) * inRow, (int)inRow), row);
                edit?.Invoke(start + i, row);
                to.Quantize(row, encoded.AsSpan((int)(i * outRow), (int)outRow));
                return row;
            }, _ => { });
            s.Write(encoded, 0, (int)(n * outRow));
        }
    }
}
