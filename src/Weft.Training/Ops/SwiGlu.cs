// SwiGLU feed-forward activation: h = silu(gate)·up, elementwise over [n, ff].
using System.Numerics;

namespace Weft.Training.Ops;

public static class SwiGlu
{
    public static void Forward<T>(ReadOnlySpan<T> gate, ReadOnlySpan<T> up, Span<T> h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < h.Length; i++) h[i] = gate[i] / (T.One + T.Exp(-gate[i])) * up[i];
    }

    /// <summary>dgate += dh·up·σ(g)(1 + g(1−σ(g))); dup += dh·silu(g).</summary>
    public static void Backward<T>(ReadOnlySpan<T> dh, ReadOnlySpan<T> gate, ReadOnlySpan<T> up, Span<T> dGate, Span<T> dUp)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dh.Length; i++)
        {
            T g = gate[i];
            T sig = T.One / (T.One + T.Exp(-g));
            dGate[i] += dh[i] * up[i] * sig * (T.One + g * (T.One - sig));
            dUp[i] += dh[i] * g * sig;
        }
    }
}
