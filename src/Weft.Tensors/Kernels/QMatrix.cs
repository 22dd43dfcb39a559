// A read-only weight matrix in any element format, viewed in place (usually inside a memory-mapped file).
using Weft.Tensors.Quantization;
using Weft.Tensors.Quantization.Packed;

namespace Weft.Tensors.Kernels;

/// <summary>
/// [Rows, Cols] with each row stored contiguously in <see cref="Format"/>; y = W·x multiplies by rows. A matrix may
/// also carry its rows packed eight at a time (<see cref="Packing"/>, <see cref="Packed"/>) for the products; the
/// rows in <see cref="Data"/> stay the definition and serve everything else (row lookups, the last Rows mod 8 rows).
/// </summary>
public readonly unsafe struct QMatrix
{
    public readonly byte* Data;
    public readonly int Rows;
    public readonly int Cols;
    public readonly long RowBytes;
    public readonly QuantFormat Format;
    /// <summary>Rows [0, <see cref="PackedRows"/>) regrouped by <see cref="Packing"/>; null when not packed.</summary>
    public readonly byte* Packed;
    public readonly RowPacking? Packing;

    public QMatrix(byte* data, GgmlType type, int rows, int cols)
    {
        Data = data;
        Rows = rows;
        Cols = cols;
        Format = QuantRegistry.Get(type);
        RowBytes = Format.RowBytes(cols);
    }

    private QMatrix(in QMatrix m, RowPacking packing, byte* packed)
    {
        this = m;
        Packing = packing;
        Packed = packed;
    }

    /// <summary>This matrix with its first <see cref="PackedRows"/> rows also available packed at <paramref name="packed"/>.</summary>
    public QMatrix WithPacked(RowPacking packing, byte* packed) =>
        packing.Type == Type ? new QMatrix(this, packing, packed) : throw new ArgumentException($"a {packing.Type} packing for a {Type} matrix");

    public GgmlType Type => Format.Type;
    public bool IsEmpty => Data == null;
    public long ByteSize => RowBytes * Rows;

    /// <summary>Rows held packed: the whole groups of eight, or none.</summary>
    public int PackedRows => Packing == null ? 0 : Rows / RowPacking.GroupRows * RowPacking.GroupRows;

    public ReadOnlySpan<byte> Row(int r) => new(Data + r * RowBytes, (int)RowBytes);

    /// <summary>Decodes row <paramref name="r"/> into <paramref name="dst"/> ([Cols]).</summary>
    public void DequantizeRow(int r, Span<float> dst) => Format.Dequantize(Row(r), dst[..Cols]);
}
