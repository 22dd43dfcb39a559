// AdamW: Adam with bias-corrected moments and decoupled weight decay (Loshchilov & Hutter, arXiv:1711.05101).
using System.Numerics;
using Weft.Training.Modeling;

namespace Weft.Training.Optimization;

public sealed record AdamWOptions
{
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Whether vectors (norm weights) decay too; by default only matrices do.</summary>
    public bool DecayVectors { get; init; }
}

public sealed class AdamW<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IReadOnlyList<Parameter<T>> _parameters;
    private readonly double[][] _m, _v;

    public AdamWOptions Options { get; }
    /// <summary>Updates made so far (the t of the bias correction).</summary>
    public int Steps { get; private set; }

    /// <summary>The trained parameters with their first and second moments, in a fixed order (for checkpoints).</summary>
    internal IReadOnlyList<(Parameter<T> Parameter, double[] M, double[] V)> State =>
        _parameters.Select((p, k) => (p, _m[k], _v[k])).ToList();

    /// <summary>Sets the update count after moments were restored from a checkpoint.</summary>
    internal void Resume(int steps) => Steps = steps;

    public AdamW(IReadOnlyList<Parameter<T>> parameters, AdamWOptions? options = null)
    {
        _parameters = parameters.Where(p => p.Trainable).ToList();
        Options = options ?? new AdamWOptions();
        _m = _parameters.Select(p => new double[p.Value.Length]).ToArray();
        _v = _parameters.Select(p => new double[p.Value.Length]).ToArray();
    }

    /// <summary>p ← p − lr·(m̂/(√v̂ + ε) + λ·p) with m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ).</summary>
    public void Update(double learningRate)
    {
        Steps++;
        var o = Options;
        double c1 = 1 - Math.Pow(o.Beta1, Steps), c2 = 1 - Math.Pow(o.Beta2, Steps);
        for (int k = 0; k < _parameters.Count; k++)
        {
            var p = _parameters[k];
            var g = p.Grad!;
            var w = p.Value;
            var m = _m[k];
            var v = _v[k];
            double decay = p.Shape.Length > 1 || o.DecayVectors ? o.WeightDecay : 0;
            for (int i = 0; i < w.Length; i++)
            {
                double gi = double.CreateTruncating(g[i]), wi = double.CreateTruncating(w[i]);
                m[i] = o.Beta1 * m[i] + (1 - o.Beta1) * gi;
                v[i] = o.Beta2 * v[i] + (1 - o.Beta2) * gi * gi;
                double step = m[i] / c1 / (Math.Sqrt(v[i] / c2) + o.Epsilon) + decay * wi;
                w[i] = T.CreateTruncating(wi - learningRate * step);
            }
        }
    }
}
