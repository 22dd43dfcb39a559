// A read-only weight matrix in any element format, viewed in place (usually inside a memory-mapped file).
using Weft.Tensors.Quantization;

namespace Weft.Tensors.Kernels;

/// <summary>[Rows, Cols] with each row stored contiguously in <see cref="Format"/>; y = W·x multiplies by rows.</summary>
public readonly unsafe struct QMatrix
{
    public readonly byte* Data;
    public readonly int Rows;
    public readonly int Cols;
    public readonly long RowBytes;
    public readonly QuantFormat Format;

    public QMatrix(byte* data, GgmlType type, int rows, int cols)
    {
        Data = data;
        Rows = rows;
        Cols = cols;
        Format = QuantRegistry.Get(type);
        RowBytes = Format.RowBytes(cols);
    }

    public GgmlType Type => Format.Type;
    public bool IsEmpty => Data == null;
    public long ByteSize => RowBytes * Rows;

    public ReadOnlySpan<byte> Row(int r) => new(Data + r * RowBytes, (int)RowBytes);

    /// <summary>Decodes row <paramref name="r"/> into <paramref name="dst"/> ([Cols]).</summary>
    public void DequantizeRow(int r, Span<float> dst) => Format.Dequantize(Row(r), dst[..Cols]);
}
