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

    /// <summary>Scalar definition of <see cref="Dequantize"/>.</summary>
    public abstract void DequantizeReference(ReadOnlySpan<byte> src, Span<float> dst);

    /// <summary>Scalar definition of <see cref="Quantize"/>.</summary>
    public abstract void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst);

    /// <summary>Scalar definition of <see cref="Dot"/>.</summary>
    public abstract float DotReference(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n);

    public long RowBytes(long elements) => Traits.RowBytes(elements);
}
