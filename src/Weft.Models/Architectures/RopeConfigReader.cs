// Reads the rotary-embedding settings shared by every family: base, dimension count, linear, YaRN or longrope scaling.
using Weft.Formats;
using Weft.Models.Loading;
using Weft.Tensors.Kernels;

namespace Weft.Models.Architectures;

public static class RopeConfigReader
{
    public static RopeParams Read(MetadataReader meta, string arch, int headDim, int trainContext)
    {
        int dims = meta.Int(MetadataKeys.RopeDimensionCount(arch), headDim, 2, headDim);
        float freqBase = meta.Float(MetadataKeys.RopeFreqBase(arch), 10000f, 1f);
        string scaling = meta.StringOrNull(MetadataKeys.RopeScalingType(arch)) ?? "linear";
        float factor = meta.Float(MetadataKeys.RopeScalingFactor(arch), 0f, 0f, 1e6f);
        if (factor == 0f) factor = meta.Float(MetadataKeys.RopeScaleLinear(arch), 0f, 0f, 1e6f);
        float freqScale = factor == 0f ? 1f : 1f / factor;
        float attnFactorMeta = meta.Float(MetadataKeys.RopeScalingAttnFactor(arch), 1f, 0f, 1e6f);
        int originalContext = meta.Int(MetadataKeys.RopeScalingOriginalContext(arch), trainContext, 1, 1 << 26);
        switch (scaling)
        {
            case "none":
                return new RopeParams(dims, freqBase, 1f, 0f, attnFactorMeta, OriginalContext: originalContext);
            case "linear":
            case "longrope": // Phi-3: plain rotation; the per-dimension factors are tensors (rope_factors_long/short)
                return new RopeParams(dims, freqBase, freqScale, 0f, attnFactorMeta, OriginalContext: originalContext);
            case "yarn":
                // YaRN scales cos/sin by 1 + 0.1·ln(factor) inside the rotation; the attention factor cancels that
                // for the plain magnitude correction, as llama.cpp does, unless a log multiplier is given.
                float f = 1f / freqScale;
                float logMul = meta.Float(MetadataKeys.RopeScalingYarnLogMul(arch), 0f);
                static float MScale(float scale, float m) => scale <= 1f ? 1f : 0.1f * m * MathF.Log(scale) + 1f;
                float attn = logMul != 0f ? MScale(f, 1f) / MScale(f, logMul) : MScale(f, 1f);
                attn *= 1f / (1f + 0.1f * MathF.Log(f));
                attn *= attnFactorMeta;
                return new RopeParams(dims, freqBase, freqScale, 1f, attn, OriginalContext: originalContext);
            default:
                throw new UnsupportedModelException($"{meta.File.Path}: rope scaling type '{scaling}' is not supported (supported: none, linear, yarn, longrope)");
        }
    }
}
