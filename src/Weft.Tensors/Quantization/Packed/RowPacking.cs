// Weight rows regrouped eight at a time at load, for integer kernels whose vector lanes are the eight rows.
using System.Runtime.Intrinsics.X86;

namespace Weft.Tensors.Quantization.Packed;

/// <summary>
/// A layout of eight consecutive weight rows of one format, block by block: the eight rows' scales of a block side
/// by side, then their quants interleaved so that one vector load holds pieces of four rows. The kernels sum each
/// row's integer products into its own 32-bit lane, so per block the eight rows share one conversion, one scale
/// multiply and one fused add, and no row needs a horizontal sum. Rows past the last whole group stay in the
/// format's own layout and kernels.
/// </summary>
public abstract unsafe class RowPacking
{
    /// <summary>Rows per group.</summary>
    public const int GroupRows = 8;

    /// <summary>The element format whose rows this layout regroups.</summary>
    public abstract GgmlType Type { get; }

    /// <summary>Bytes of one group of eight rows of <paramref name="n"/> elements (eight times a row's bytes).</summary>
    public long GroupBytes(int n) => TypeTraits.Of(Type).RowBytes(n) * GroupRows;

    /// <summary>
    /// Writes the group of eight rows at <paramref name="src"/> (rows <paramref name="srcStride"/> bytes apart) to
    /// <paramref name="dst"/>; false when the rows hold a value the packed kernels do not take (an infinite or NaN
    /// block scale), and the matrix then stays unpacked.
    /// </summary>
    public abstract bool Pack(byte* src, long srcStride, int n, byte* dst);

    /// <summary>Reads row <paramref name="row"/> (0..7) of a packed group back into the format's own layout.</summary>
    public abstract void Unpack(byte* group, int row, int n, byte* dst);

    /// <summary>
    /// <c>y[t·yStride + 8g + i]</c> = row i of group g against activation row t, for g &lt; <paramref name="groups"/>
    /// (groups lie <see cref="GroupBytes"/> apart from <paramref name="packed"/>) and t &lt; <paramref name="tokens"/>;
    /// activation rows are in the format's dot type, <paramref name="xStride"/> bytes apart. A row's result is the same
    /// whatever the number of tokens or groups in the call.
    /// </summary>
    public abstract void DotTile(byte* packed, int groups, byte* x, int xStride, int tokens, int n, float* y, int yStride);

    /// <summary>The packing for <paramref name="type"/> on this machine, or null when its rows stay as they are.</summary>
    public static RowPacking? For(GgmlType type) => !Avx2.IsSupported ? null : type switch
    {
        GgmlType.Q4_0 => Q4_0Packing.Instance,
        GgmlType.Q8_0 => Q8_0Packing.Instance,
        GgmlType.Q4_K => Q4_KPacking.Instance,
        GgmlType.Q6_K => Q6_KPacking.Instance,
        _ => null,
    };
}
