// Resolves named tensors of a model source into in-place weight views, checking presence, shape and type.
using Weft.Formats;
using Weft.Tensors;
using Weft.Tensors.Kernels;
using Weft.Tensors.Quantization;
using Weft.Tensors.Quantization.Packed;

namespace Weft.Models.Loading;

/// <summary>
/// With <paramref name="packs"/>, the matrices the products read (not lookup tables) are also packed for the kernels
/// where their format has a packing; the packed rows are read from disk, so the mapping keeps only what is used in place.
/// </summary>
public sealed unsafe class WeightLoader(ModelSource file, PackedWeights? packs = null)
{
    public ModelSource File => file;

    public bool Has(string name) => file.FindTensor(name) != null;

    private SourceTensor Require(string name) =>
        file.FindTensor(name) ?? throw new ModelFormatException($"{file.Path}: required tensor '{name}' is missing");

    private void CheckShape(SourceTensor t, params long[] expected)
    {
        if (!t.Shape.SequenceEqual(expected))
            throw new ModelFormatException(
                $"{file.Path}: tensor '{t.Name}' has shape {t.ShapeText}, expected [{string.Join(", ", expected)}] ({t.Where})");
    }

    private void CheckType(SourceTensor t)
    {
        if (!QuantRegistry.IsSupported(t.Type))
            throw new UnsupportedModelException(
                $"{file.Path}: tensor '{t.Name}' has type {TypeTraits.NameOf(t.Type)}, which this engine cannot compute with (supported: {string.Join(", ", QuantRegistry.Supported.Select(TypeTraits.NameOf))})");
    }

    /// <summary>The address of a tensor stored in one piece.</summary>
    private byte* Whole(SourceTensor t) => t.Parts.Length == 1
        ? (byte*)t.Parts[0]
        : throw new ModelFormatException($"{file.Path}: tensor '{t.Name}' is stored in {t.Parts.Length} parts where one was expected ({t.Where})");

    /// <summary>A [rows, cols] matrix, stored in GGUF as shape [cols, rows]: multiplied by, so packed when packing.</summary>
    public QMatrix Matrix(string name, int rows, int cols) => Packed(Table(name, rows, cols));

    /// <summary>A [rows, cols] table read row by row (the token embedding): never packed.</summary>
    public QMatrix Table(string name, int rows, int cols)
    {
        var t = Require(name);
        CheckShape(t, cols, rows);
        CheckType(t);
        return new QMatrix(Whole(t), t.Type, rows, cols);
    }

    private QMatrix Packed(in QMatrix m)
    {
        if (packs == null) return m;
        if (RowPacking.For(m.Type) == null) return m;
        if (file.DiskLocation((nint)m.Data) is not var (path, start)) return packs.Pack(m);
        using var handle = System.IO.File.OpenHandle(path);
        return packs.Pack(m, (offset, dst) =>
        {
            for (int done = 0; done < dst.Length;)
            {
                int got = RandomAccess.Read(handle, dst[done..], start + offset + done);
                if (got <= 0) throw new ModelFormatException($"{path}: ends inside the tensor data at byte {start + offset + done}");
                done += got;
            }
        });
    }

    /// <summary>
    /// A fused matrix whose rows stack several projections (attn_qkv, phi3's gate+up), viewed as one matrix per
    /// part: rows [0, parts[0]), then the next parts[1] rows, and so on.
    /// </summary>
    public QMatrix[] MatrixParts(string name, int cols, params int[] parts)
    {
        var whole = Table(name, parts.Sum(), cols);
        var result = new QMatrix[parts.Length];
        long row = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            result[i] = Packed(new QMatrix(whole.Data + row * whole.RowBytes, whole.Type, parts[i], cols));
            row += parts[i];
        }
        return result;
    }

    /// <summary>A fused bias split like <see cref="MatrixParts"/>.</summary>
    public float[][] VectorParts(string name, params int[] parts)
    {
        var whole = Vector(name, parts.Sum());
        var result = new float[parts.Length][];
        int at = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            result[i] = whole.AsSpan(at, parts[i]).ToArray();
            at += parts[i];
        }
        return result;
    }

    public QMatrix? OptionalMatrix(string name, int rows, int cols) => Has(name) ? Matrix(name, rows, cols) : null;

    /// <summary>Expert stack [experts][rows, cols], stored as shape [cols, rows, experts]: one matrix per expert.</summary>
    public QMatrix[] Experts(string name, int experts, int rows, int cols)
    {
        var t = Require(name);
        CheckShape(t, cols, rows, experts);
        CheckType(t);
        var result = new QMatrix[experts];
        long stride = TypeTraits.Of(t.Type).RowBytes(cols) * rows;
        // Stored as one stack (GGUF) or one part per expert (checkpoints that keep experts apart).
        for (int e = 0; e < experts; e++)
            result[e] = Packed(new QMatrix(t.Parts.Length == experts ? (byte*)t.Parts[e] : Whole(t) + e * stride, t.Type, rows, cols));
        return result;
    }

    /// <summary>A 1-D tensor of <paramref name="length"/> values, decoded to float (norm weights, biases).</summary>
    public float[] Vector(string name, int length)
    {
        var t = Require(name);
        CheckShape(t, length);
        CheckType(t);
        var values = new float[length];
        QuantRegistry.Get(t.Type).Dequantize(new ReadOnlySpan<byte>(Whole(t), (int)t.ByteSize), values);
        return values;
    }

    public float[]? OptionalVector(string name, int length) => Has(name) ? Vector(name, length) : null;

    /// <summary>A norm's weight (required) and bias (when <paramref name="bias"/> names one and the file has it).</summary>
    public Transformer.NormWeights Norm(string weight, string? bias, int length) =>
        new(Vector(weight, length), bias != null ? OptionalVector(bias, length) : null);

    /// <summary>A norm that may be absent altogether.</summary>
    public Transformer.NormWeights? OptionalNorm(string weight, string? bias, int length) =>
        Has(weight) ? Norm(weight, bias, length) : null;
}
