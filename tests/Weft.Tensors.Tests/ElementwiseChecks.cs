// Fast element-wise kernels (norms, softmax, SwiGLU, rope) against float64 references, every length 0..257.
using Weft.Tensors.Kernels;

namespace Weft.Tensors.Tests;

public static class ElementwiseChecks
{
    /// <summary>Relative error allowed between float32 SIMD kernels and float64 references (a few float ulps summed over 257 terms).</summary>
    private const double RelativeTolerance = 2e-5;

    public static readonly List<(string, Func<int, IEnumerable<string>>)> All =
    [
        ("kernel RmsNorm", seed => Compare(seed, 1, (x, w, y) => Norms.RmsNorm(x, w, y, 1e-5f), (x, w, y) => Norms.RmsNormReference(x, w, y, 1e-5f), minLength: 1)),
        ("kernel LayerNorm", seed => Compare(seed, 2, (x, w, y) => Norms.LayerNorm(x, w, w, y, 1e-5f), (x, w, y) => Norms.LayerNormReference(x, w, w, y, 1e-5f), minLength: 1, allowance: (x, w, i) => CenteringError(x, 1e-5) * Math.Abs(w[i]))),
        ("kernel Softmax", seed => Compare(seed, 3, (x, _, y) => { x.CopyTo(y); Activations.Softmax(y); }, (x, _, y) => { x.CopyTo(y); Activations.SoftmaxReference(y); })),
        ("kernel SwiGlu", seed => Compare(seed, 4, (x, w, y) => { x.CopyTo(y); Activations.SwiGlu(y, w); }, (x, w, y) => { x.CopyTo(y); Activations.SwiGluReference(y, w); })),
        ("kernel LayerNorm without weight or bias", seed => Compare(seed, 6, (x, _, y) => Norms.LayerNorm(x, default, default, y, 1e-5f), (x, _, y) => Norms.LayerNormReference(x, default, default, y, 1e-5f), minLength: 1, allowance: (x, _, _) => CenteringError(x, 1e-5))),
        ("kernel GeluTanh", seed => Compare(seed, 7, (x, _, y) => { x.CopyTo(y); Gelu.Tanh(y); }, (x, _, y) => { x.CopyTo(y); Gelu.TanhReference(y); })),
        ("kernel GeluErf", seed => Compare(seed, 8, (x, _, y) => { x.CopyTo(y); Gelu.Erf(y); }, (x, _, y) => { x.CopyTo(y); Gelu.ErfReference(y); })),
        ("kernel GeGlu", seed => Compare(seed, 9, (x, w, y) => { x.CopyTo(y); Gelu.GeGlu(y, w); }, (x, w, y) => { x.CopyTo(y); Gelu.GeGluReference(y, w); })),
        ("kernel SoftCap", seed => Compare(seed, 10, (x, _, y) => { x.CopyTo(y); SoftCap.Apply(y, 5f); }, (x, _, y) => { x.CopyTo(y); SoftCap.ApplyReference(y, 5f); })),
        ("kernel Bias.AddRows", seed => Compare(seed, 11, (x, w, y) => { x.CopyTo(y); Bias.AddRows(y, w, 1); }, (x, w, y) => { x.CopyTo(y); Bias.AddRowsReference(y, w, 1); })),
        ("kernel Bias.Clamp", seed => Compare(seed, 12, (x, _, y) => { x.CopyTo(y); Bias.Clamp(y, 1.5f); }, (x, _, y) => { x.CopyTo(y); Bias.ClampReference(y, 1.5f); })),
        ("kernel Rope", RopeCheck),
    ];

    private delegate void Kernel(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y);

    /// <summary>
    /// The error float32 centring cannot avoid: x − mean carries about one rounding of max|x| (the mean's), which the
    /// normalisation multiplies by 1/sqrt(var + eps). When the values nearly agree (var ≪ eps, as two close values do)
    /// that is many times the output's own size, so no float32 kernel meets a purely relative bound there.
    /// </summary>
    private static double CenteringError(float[] x, double eps)
    {
        double mean = 0, variance = 0, maxAbs = 0;
        foreach (float v in x) { mean += v; maxAbs = Math.Max(maxAbs, Math.Abs(v)); }
        mean /= x.Length;
        foreach (float v in x) variance += (v - mean) * (v - mean);
        variance /= x.Length;
        return 8 * Math.Pow(2, -24) * maxAbs / Math.Sqrt(variance + eps);
    }

    private static IEnumerable<string> Compare(int seed, int salt, Kernel fast, Kernel reference, int minLength = 0, Func<float[], float[], int, double>? allowance = null)
    {
        var rng = new Random(seed * 31 + salt);
        for (int n = minLength; n <= 257; n++)
        {
            var x = FormatChecks.RandomRow(rng, n);
            var w = FormatChecks.RandomRow(rng, n);
            var y = new float[n];
            var r = new float[n];
            fast(x, w, y);
            reference(x, w, r);
            double scale = 0;
            foreach (float v in r) scale = Math.Max(scale, Math.Abs(v));
            for (int i = 0; i < n; i++)
            {
                double allowed = RelativeTolerance * (scale + 1e-6) + (allowance?.Invoke(x, w, i) ?? 0);
                if (!(Math.Abs(y[i] - r[i]) <= allowed))
                {
                    yield return $"n={n}: [{i}] = {y[i]}, reference {r[i]}";
                    break;
                }
            }
        }
    }

    /// <summary>Rotation of adjacent pairs and of halves, with linear and YaRN scaling, against float64 trigonometry.</summary>
    private static IEnumerable<string> RopeCheck(int seed)
    {
        var rng = new Random(seed * 31 + 5);
        foreach (var style in new[] { RopeStyle.Normal, RopeStyle.NeoX })
            foreach (int dims in new[] { 2, 8, 32, 64, 128 })
                foreach (float scale in new[] { 1f, 0.25f })
                {
                    var p = new RopeParams(dims, 10000f, scale);
                    var rope = new Rope(p, style);
                    int pos = rng.Next(0, 4096);
                    var cos = new float[dims / 2];
                    var sin = new float[dims / 2];
                    rope.Angles(pos, cos, sin);
                    var x = FormatChecks.RandomRow(rng, dims * 3);
                    var y = (float[])x.Clone();
                    rope.Apply(y, dims, cos, sin);
                    for (int h = 0; h < 3; h++)
                        for (int i = 0; i < dims / 2; i++)
                        {
                            double theta = pos * scale * Math.Pow(10000.0, -2.0 * i / dims);
                            int a = h * dims + (style == RopeStyle.Normal ? 2 * i : i);
                            int b = h * dims + (style == RopeStyle.Normal ? 2 * i + 1 : i + dims / 2);
                            double ea = x[a] * Math.Cos(theta) - x[b] * Math.Sin(theta);
                            double eb = x[a] * Math.Sin(theta) + x[b] * Math.Cos(theta);
                            double mag = Math.Abs(x[a]) + Math.Abs(x[b]) + 1e-6;
                            // float32 angles at position 4096 carry ~4e-4 radians of rounding
                            if (Math.Abs(y[a] - ea) > 2e-3 * mag || Math.Abs(y[b] - eb) > 2e-3 * mag)
                            {
                                yield return $"{style} dims {dims} scale {scale} pos {pos} pair {i}: ({y[a]}, {y[b]}) vs ({ea}, {eb})";
                                goto next;
                            }
                        }
                    next:;
                }
    }
}
