// The contract every element format fulfils: decode, encode, and dot against activations.
namespace Weft.Tensors.Quantization;

/// <summary>
/// One element format. Rows are whole blocks: <c>n</c> elements occupy <c>n / BlockSize * BlockBytes</c> bytes.
/// The plain methods are the fast (vectorised) paths; the <c>…Reference</c> twins are straightforward scalar code
/// that defines the format, and the tests hold every fast path to its twin on random data.
/// </summary>
public abstract class QuantFormat
{
    public abstract GgmlType Type { get; }

    /// <summary>The format activations are converted to before <see cref="Dot"/> (Q8_0, Q8_1, Q8_K or F32).</summary>
    public abstract GgmlType DotType { get; }

    public TypeTraits Traits => TypeTraits.Of(Type);
    public int BlockSize => Traits.BlockSize;
    public int BlockBytes => Traits.BlockBytes;

    /// <summary>Whether <see cref="Quantize"/> can write this format.</summary>
    public virtual bool CanQuantize => true;

    /// <summary>Decodes <c>dst.Length</c> elements (a whole number of blocks) from <paramref name="src"/>.</summary>
    public abstract void Dequantize(ReadOnlySpan<byte> src, Span<float> dst);

    /// <summary>Encodes <c>src.Length</c> elements (a whole number of blocks) into <paramref name="dst"/>.</summary>
    public abstract void Quantize(ReadOnlySpan<float> src, Span<byte> dst);

    /// <summary>Dot product of <paramref name="n"/> elements: a row of this format against a row of <see cref="DotType"/>.</summary>
    public abstract float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n);

    /// <summary>
    /// A tile of dot products: <c>y[t·yStride + r]</c> = <see cref="Dot"/>(weight row r, activation row t) for r &lt; rows
    /// and t &lt; tokens, over <paramref name="n"/> elements. Weight rows lie <paramref name="wStride"/> bytes apart,
    /// activation rows (in <see cref="DotType"/>) <paramref name="xStride"/> bytes apart. Formats override it to decode
    /// each weight block once for several tokens (prompts) or to load each activation block once for several rows;
    /// this default calls <see cref="Dot"/> per pair.
    /// </summary>
    public virtual unsafe void DotTile(byte* w, long wStride, int rows, byte* x, int xStride, int tokens, int n, float* y, int yStride)
    {
        long wBytes = RowBytes(n);
        for (int r = 0; r < rows; r++)
        {
            var wRow = new ReadOnlySpan<byte>(w + r * wStride, (int)wBytes);
            for (int t = 0; t < tokens; t++)
                y[(long)t * yStride + r] = Dot(wRow, new ReadOnlySpan<byte>(x + (long)t * xStride, xStride), n);
        }
    }

    /// <summary>Scalar definition of <see cref="Dequantize"/>.</summary>
    public abstract void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst);

    /// <summary>Scalar definition of <see cref="Quantize"/>.</summary>
    public abstract void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst);

    /// <summary>Scalar definition of <see cref="Dot"/>.</summary>
    public abstract float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n);

    public long RowBytes(long elements) => Traits.RowBytes(elements);
}
