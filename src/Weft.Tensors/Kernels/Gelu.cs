// GELU in its tanh form (falcon's MLP, gemma2's GeGLU) and its exact erf form, each with a float64 scalar reference.
using System.Numerics.Tensors;

namespace Weft.Tensors.Kernels;

public static class Gelu
{
    private const int Chunk = 256;
    private const float SqrtTwoOverPi = 0.7978845608028654f;
    private const float Cubic = 0.044715f;

    /// <summary>x = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), in place.</summary>
    public static void Tanh(Span<float> x)
    {
        Span<float> t = stackalloc float[Chunk];
        for (int i = 0; i < x.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, x.Length - i);
            var v = x.Slice(i, n);
            var s = t[..n];
            TensorPrimitives.Multiply(v, v, s);                    // x²
            TensorPrimitives.Multiply(s, 2 * Cubic * SqrtTwoOverPi, s);
            TensorPrimitives.Add(s, 2 * SqrtTwoOverPi, s);         // 2√(2/π)(1 + 0.044715x²)
            TensorPrimitives.Multiply(s, v, s);
            // 0.5(1 + tanh(u)) = sigmoid(2u): no cancellation where tanh(u) is near -1 (large negative x).
            TensorPrimitives.Sigmoid(s, s);
            TensorPrimitives.Multiply(v, s, v);
        }
    }

    public static void TanhReference(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            x[i] = (float)(0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
        }
    }

    /// <summary>gate = gelu_tanh(gate) · up, in place (the GeGLU feed-forward).</summary>
    public static void GeGlu(Span<float> gate, ReadOnlySpan<float> up)
    {
        Tanh(gate);
        TensorPrimitives.Multiply(gate, up, gate);
    }

    public static void GeGluReference(Span<float> gate, ReadOnlySpan<float> up)
    {
        TanhReference(gate);
        for (int i = 0; i < gate.Length; i++) gate[i] *= up[i];
    }

    /// <summary>x = 0.5·x·(1 + erf(x/√2)), in place.</summary>
    public static void Erf(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = 0.5f * x[i] * OnePlusErf(x[i] * 0.70710678f);
    }

    public static void ErfReference(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = (float)(0.5 * x[i] * (1 + ErfSeries(x[i] / Math.Sqrt(2))));
    }

    /// <summary>1 + erf(z) to float precision (erfc's exponent fitted, relative error ~1.2e-7), exact in relative terms for negative z where 1 + erf(z) is tiny.</summary>
    private static float OnePlusErf(float z)
    {
        // Numerical Recipes' erfc Chebyshev form: erfc(|z|) = t·exp(-z² + P(t)), t = 1/(1 + |z|/2).
        float a = MathF.Abs(z);
        float t = 1f / (1f + 0.5f * a);
        float p = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f + t * (0.27886807f
            + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
        float erfc = t * MathF.Exp(-a * a + p);
        return z >= 0 ? 2f - erfc : erfc;
    }

    /// <summary>erf in float64 by its Taylor series near zero and its continued fraction for erfc further out.</summary>
    private static double ErfSeries(double z)
    {
        double a = Math.Abs(z);
        double r;
        if (a < 3)
        {
            double term = a, sum = a;
            for (int n = 1; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
            {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            // Lentz-free backward evaluation of erfc's continued fraction (converges fast for a ≥ 3).
            double f = 0;
            for (int n = 60; n >= 1; n--) f = n / 2.0 / (a + f);
            r = 1 - Math.Exp(-a * a) / Math.Sqrt(Math.PI) / (a + f);
        }
        return z < 0 ? -r : r;
    }
}
