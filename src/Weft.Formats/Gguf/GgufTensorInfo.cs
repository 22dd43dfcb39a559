// One entry of a GGUF tensor table: where the data is and how to read it.
using Weft.Tensors;

namespace Weft.Formats.Gguf;

/// <param name="Shape">ggml order: Shape[0] is the contiguous (fastest-varying) dimension, i.e. the row length.</param>
/// <param name="Offset">bytes from the start of the file's data section.</param>
public sealed record GgufTensorInfo(string Name, GgmlType Type, long[] Shape, long Offset, long ByteSize)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Length of one row (Shape[0]).</summary>
    public long RowLength => Shape.Length > 0 ? Shape[0] : 1;

    /// <summary>Number of rows: the product of every dimension but the first.</summary>
    public long RowCount => Shape.Length > 1 ? Shape.Skip(1).Aggregate(1L, (a, b) => a * b) : 1;

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
