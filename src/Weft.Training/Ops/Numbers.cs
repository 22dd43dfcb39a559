// Conversions between the engine's float32 storage and the training element type (float for training, double for checks).
using System.Numerics;
using System.Runtime.InteropServices;

namespace Weft.Training.Ops;

public static class Numbers
{
    public static T Of<T>(float v) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(v);

    public static T Of<T>(double v) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(v);

    /// <summary>Copies float32 values into <paramref name="dst"/>, converting when T is not float.</summary>
    public static void Convert<T>(ReadOnlySpan<float> src, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            src.CopyTo(MemoryMarshal.Cast<T, float>(dst));
            return;
        }
        for (int i = 0; i < src.Length; i++) dst[i] = T.CreateTruncating(src[i]);
    }

    public static T[] From<T>(ReadOnlySpan<float> src) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new T[src.Length];
        Convert(src, r.AsSpan());
        return r;
    }

    public static float[] ToFloat<T>(ReadOnlySpan<T> src) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new float[src.Length];
        for (int i = 0; i < src.Length; i++) r[i] = float.CreateTruncating(src[i]);
        return r;
    }
}
