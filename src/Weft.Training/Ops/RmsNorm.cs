// RMSNorm: y = x · r · w with r = 1/sqrt(mean(x²) + eps), per row of [n, dim].
using System.Numerics;

namespace Weft.Training.Ops;

public static class RmsNorm
{
    /// <param name="rstd">[n]: r of each row, kept for the backward pass.</param>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, float eps, int n, Span<T> y, Span<T> rstd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = w.Length;
        T epsT = T.CreateTruncating(eps), count = T.CreateTruncating(d);
        for (int i = 0; i < n; i++)
        {
            var xr = x.Slice(i * d, d);
            var yr = y.Slice(i * d, d);
            T ss = T.Zero;
            for (int j = 0; j < d; j++) ss += xr[j] * xr[j];
            T r = T.One / T.Sqrt(ss / count + epsT);
            rstd[i] = r;
            for (int j = 0; j < d; j++) yr[j] = xr[j] * r * w[j];
        }
    }

    /// <summary>dx += r·(dy∘w) − x·r³/d·Σ(dy∘w∘x); dw += Σ_rows dy∘x·r.</summary>
    public static void Backward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> rstd, int n, Span<T> dx, Span<T> dw)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = w.Length;
        T count = T.CreateTruncating(d);
        bool wantW = !dw.IsEmpty;
        for (int i = 0; i < n; i++)
        {
            var xr = x.Slice(i * d, d);
            var dyr = dy.Slice(i * d, d);
            var dxr = dx.Slice(i * d, d);
            T r = rstd[i];
            T dot = T.Zero;
            for (int j = 0; j < d; j++) dot += dyr[j] * w[j] * xr[j];
            T k = dot * r * r * r / count;
            for (int j = 0; j < d; j++)
            {
                dxr[j] += r * dyr[j] * w[j] - xr[j] * k;
                if (wantW) dw[j] += dyr[j] * xr[j] * r;
            }
        }
    }
}
