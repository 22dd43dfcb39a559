// Token embedding lookup: out[i] = table[ids[i]]; the backward pass scatters rows back into the table's gradient.
using System.Numerics;
using System.Numerics.Tensors;

namespace Weft.Training.Ops;

public static class Embedding
{
    /// <param name="table">[vocab, dim]</param>
    /// <param name="output">[ids.Length, dim]</param>
    public static void Forward<T>(ReadOnlySpan<T> table, int dim, ReadOnlySpan<int> ids, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < ids.Length; i++) table.Slice(ids[i] * dim, dim).CopyTo(output.Slice(i * dim, dim));
    }

    /// <summary>dTable[ids[i]] += dOut[i] (a token seen twice gets both rows).</summary>
    public static void Backward<T>(ReadOnlySpan<T> dOut, int dim, ReadOnlySpan<int> ids, Span<T> dTable)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < ids.Length; i++)
        {
            var row = dTable.Slice(ids[i] * dim, dim);
            TensorPrimitives.Add(row, dOut.Slice(i * dim, dim), row);
        }
    }
}
