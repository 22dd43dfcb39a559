// Rotary position embedding: rotation angles per position (with linear and YaRN scaling and per-dimension
// frequency factors), applied to adjacent pairs (llama, "normal") or to the two halves of a head (NeoX).
namespace Weft.Tensors.Kernels;

public enum RopeStyle
{
    /// <summary>Pairs (x[2i], x[2i+1]): llama's GGUF layout.</summary>
    Normal,
    /// <summary>Pairs (x[i], x[i + n/2]): GPT-NeoX, Falcon, Qwen2, Phi-3, Gemma.</summary>
    NeoX,
}

/// <summary>Everything that determines the rotation angles.</summary>
/// <param name="Dims">rotated dimensions per head (n_rot); the rest pass through.</param>
/// <param name="FreqScale">1 / linear scaling factor (1 = none).</param>
/// <param name="ExtFactor">YaRN extrapolation mix (0 = plain interpolation).</param>
/// <param name="AttnFactor">YaRN magnitude factor applied to cos and sin.</param>
public sealed record RopeParams(
    int Dims, float FreqBase, float FreqScale = 1f, float ExtFactor = 0f, float AttnFactor = 1f,
    float BetaFast = 32f, float BetaSlow = 1f, int OriginalContext = 0, float[]? FreqFactors = null);

/// <summary>Precomputed inverse frequencies and YaRN ramp for one <see cref="RopeParams"/>.</summary>
public sealed class Rope
{
    private readonly RopeParams _p;
    private readonly float[] _thetaScale;   // [Dims/2]: base^(-2i/Dims) / freq_factor[i]
    private readonly float _corrLow, _corrHigh;

    public RopeStyle Style { get; }
    public int Dims => _p.Dims;

    public Rope(RopeParams p, RopeStyle style)
    {
        if (p.Dims <= 0 || p.Dims % 2 != 0) throw new ArgumentException($"rope dimension count {p.Dims} must be positive and even");
        if (p.FreqFactors != null && p.FreqFactors.Length < p.Dims / 2)
            throw new ArgumentException($"rope frequency factors hold {p.FreqFactors.Length} values, {p.Dims / 2} needed");
        _p = p;
        Style = style;
        _thetaScale = new float[p.Dims / 2];
        float step = MathF.Pow(p.FreqBase, -2f / p.Dims);
        float theta = 1f;
        for (int i = 0; i < _thetaScale.Length; i++)
        {
            _thetaScale[i] = theta / (p.FreqFactors?[i] ?? 1f);
            theta *= step;
        }
        if (p.ExtFactor != 0)
        {
            int nCtx = p.OriginalContext > 0 ? p.OriginalContext : 2048;
            _corrLow = MathF.Max(0, MathF.Floor(CorrDim(p.Dims, nCtx, p.BetaFast, p.FreqBase)));
            _corrHigh = MathF.Min(p.Dims - 1, MathF.Ceiling(CorrDim(p.Dims, nCtx, p.BetaSlow, p.FreqBase)));
        }
    }

    private static float CorrDim(int dims, int nCtx, float rotations, float freqBase) =>
        dims * MathF.Log(nCtx / (rotations * 2 * MathF.PI)) / (2 * MathF.Log(freqBase));

    /// <summary>Fills cos and sin for one position: [Dims/2] each.</summary>
    public void Angles(int position, Span<float> cos, Span<float> sin)
    {
        for (int i = 0; i < _thetaScale.Length; i++)
        {
            float thetaExtrap = position * _thetaScale[i];
            float theta = _p.FreqScale * thetaExtrap;
            float mscale = _p.AttnFactor;
            if (_p.ExtFactor != 0)
            {
                float y = (i - _corrLow) / MathF.Max(0.001f, _corrHigh - _corrLow);
                float rampMix = (1 - MathF.Min(1, MathF.Max(0, y))) * _p.ExtFactor;
                theta = theta * (1 - rampMix) + thetaExtrap * rampMix;
                mscale *= 1f + 0.1f * MathF.Log(1f / _p.FreqScale);
            }
            cos[i] = MathF.Cos(theta) * mscale;
            sin[i] = MathF.Sin(theta) * mscale;
        }
    }

    /// <summary>Rotates every head of <paramref name="x"/> ([heads, headDim]) in place with the given angles.</summary>
    public void Apply(Span<float> x, int headDim, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        int half = _p.Dims / 2;
        for (int h = 0; h + headDim <= x.Length; h += headDim)
        {
            var head = x.Slice(h, headDim);
            if (Style == RopeStyle.Normal)
            {
                for (int i = 0; i < half; i++)
                {
                    float x0 = head[2 * i], x1 = head[2 * i + 1];
                    head[2 * i] = x0 * cos[i] - x1 * sin[i];
                    head[2 * i + 1] = x0 * sin[i] + x1 * cos[i];
                }
            }
            else
            {
                for (int i = 0; i < half; i++)
                {
                    float x0 = head[i], x1 = head[i + half];
                    head[i] = x0 * cos[i] - x1 * sin[i];
                    head[i + half] = x0 * sin[i] + x1 * cos[i];
                }
            }
        }
    }
}
