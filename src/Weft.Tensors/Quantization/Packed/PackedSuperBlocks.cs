// The loop driver for packed groups of 256-element K-quant super-blocks (Q4_K, Q6_K) against Q8_K activations.
namespace Weft.Tensors.Quantization.Packed;

/// <summary>
/// The kernels of one packed K-quant format: eight rows of a super-block in <see cref="GroupBlockBytes"/> bytes,
/// against one or two Q8_K activation rows (292-byte blocks carrying their own scale and group sums).
/// </summary>
internal unsafe interface IPackedSuperKernel
{
    static abstract int GroupBlockBytes { get; }

    static abstract void Dot1(byte* g, byte* a, int blocks, float* y);

    /// <summary>As <see cref="Dot1"/> for two activation rows at once, each with exactly <see cref="Dot1"/>'s arithmetic.</summary>
    static abstract void Dot2(byte* g, byte* a0, byte* a1, int blocks, float* y0, float* y1);
}

internal static unsafe class PackedSuperBlocks
{
    public const int ActivationBytes = KQuantMath.Q8Bytes;

    public static void DotTile<TK>(byte* packed, int groups, byte* x, int xStride, int tokens, int n, float* y, int yStride)
        where TK : struct, IPackedSuperKernel
    {
        int blocks = KQuantSimd.CheckRow(n, int.MaxValue, 1);
        long groupBytes = (long)blocks * TK.GroupBlockBytes;
        int t = 0;
        for (; t + 2 <= tokens; t += 2)
        {
            byte* x0 = x + (long)t * xStride;
            float* y0 = y + (long)t * yStride;
            for (int g = 0; g < groups; g++)
                TK.Dot2(packed + g * groupBytes, x0, x0 + xStride, blocks, y0 + 8 * g, y0 + yStride + 8 * g);
        }
        if (t < tokens)
        {
            byte* x0 = x + (long)t * xStride;
            float* y0 = y + (long)t * yStride;
            for (int g = 0; g < groups; g++)
                TK.Dot1(packed + g * groupBytes, x0, blocks, y0 + 8 * g);
        }
    }
}
