// Rotary position embedding with the angles of Weft.Tensors.Kernels.Rope (normal or NeoX pairs); the backward pass
// is the transposed rotation (the angle negated, YaRN's magnitude factor kept).
using System.Numerics;
using Weft.Tensors.Kernels;

namespace Weft.Training.Ops;

/// <summary>cos and sin for positions [0, Positions): [Positions, Dims/2] each, in the element type.</summary>
public sealed class RopeTable<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public int Positions { get; }
    public int Dims { get; }
    public RopeStyle Style { get; }
    public T[] Cos { get; }
    public T[] Sin { get; }

    public RopeTable(RopeParams p, RopeStyle style, int positions)
    {
        var rope = new Rope(p, style);
        Positions = positions;
        Dims = p.Dims;
        Style = style;
        int half = Dims / 2;
        Cos = new T[positions * half];
        Sin = new T[positions * half];
        var c = new float[half];
        var s = new float[half];
        for (int pos = 0; pos < positions; pos++)
        {
            rope.Angles(pos, c, s);
            Numbers.Convert<T>(c, Cos.AsSpan(pos * half, half));
            Numbers.Convert<T>(s, Sin.AsSpan(pos * half, half));
        }
    }
}

public static class RopeOp
{
    /// <summary>Rotates every head of every row of x ([n, heads·headDim]) in place at its position.</summary>
    public static void Forward<T>(Span<T> x, int n, int headDim, ReadOnlySpan<int> positions, RopeTable<T> table)
        where T : unmanaged, IFloatingPointIeee754<T> => Rotate(x, n, headDim, positions, table, inverse: false);

    /// <summary>Turns dL/d(rotated x) into dL/dx in place.</summary>
    public static void Backward<T>(Span<T> dx, int n, int headDim, ReadOnlySpan<int> positions, RopeTable<T> table)
        where T : unmanaged, IFloatingPointIeee754<T> => Rotate(dx, n, headDim, positions, table, inverse: true);

    private static void Rotate<T>(Span<T> x, int n, int headDim, ReadOnlySpan<int> positions, RopeTable<T> table, bool inverse)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = x.Length / n, half = table.Dims / 2;
        bool neox = table.Style == RopeStyle.NeoX;
        for (int t = 0; t < n; t++)
        {
            int pos = positions[t];
            if ((uint)pos >= (uint)table.Positions) throw new ArgumentOutOfRangeException(nameof(positions), $"position {pos} is outside the rope table ({table.Positions})");
            var cos = new ReadOnlySpan<T>(table.Cos, pos * half, half);
            var sin = new ReadOnlySpan<T>(table.Sin, pos * half, half);
            for (int h = 0; h + headDim <= width; h += headDim)
            {
                var head = x.Slice(t * width + h, headDim);
                for (int i = 0; i < half; i++)
                {
                    int a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
                    T x0 = head[a], x1 = head[b], c = cos[i], s = inverse ? -sin[i] : sin[i];
                    head[a] = x0 * c - x1 * s;
                    head[b] = x0 * s + x1 * c;
                }
            }
        }
    }
}
