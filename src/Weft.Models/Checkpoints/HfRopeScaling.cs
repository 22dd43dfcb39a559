// config.json's rope_scaling → what llama.cpp's converter writes for it beyond plain metadata: llama3 scaling becomes
// a computed rope_freqs tensor (one divisor per rotated pair), Phi-3's longrope becomes rope_factors_long/short plus
// rope.scaling.attn_factor.
using System.Text.Json;
using Weft.Formats;

namespace Weft.Models.Checkpoints;

public static class HfRopeScaling
{
    /// <summary>rope_scaling's rope_type (or the older type), or null when there is no rope_scaling.</summary>
    public static string? Type(HfConfig c) =>
        c.Object("rope_scaling") is { } rs && (rs.TryGetProperty("rope_type", out var t) || rs.TryGetProperty("type", out t))
            ? t.ValueKind == JsonValueKind.String ? t.GetString() : throw Bad(c, t.GetRawText(), "type", "a string")
            : null;

    private static ModelFormatException Bad(HfConfig c, string value, string field, string expected) =>
        new($"{c.Path}: field 'rope_scaling.{field}' is {value}, expected {expected}");

    private static double? Number(HfConfig c, JsonElement rs, string field)
    {
        if (!rs.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Bad(c, v.GetRawText(), field, "a number");
    }

    private static float[]? Numbers(HfConfig c, JsonElement rs, string field)
    {
        if (!rs.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number))
            throw Bad(c, v.GetRawText().Length > 80 ? v.GetRawText()[..80] + "…" : v.GetRawText(), field, "an array of numbers");
        return v.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
    }

    private static int HeadDim(HfConfig c) => c.Int("head_dim") ?? c.RequireInt("hidden_size") / c.RequireInt("num_attention_heads");

    /// <summary>original_max_position_embeddings from rope_scaling, else from the top level (as the converter mirrors it).</summary>
    public static int? OriginalContext(HfConfig c)
    {
        if (c.Object("rope_scaling") is { } rs && Number(c, rs, "original_max_position_embeddings") is double o)
            return o >= 1 && o == Math.Floor(o) && o <= int.MaxValue ? (int)o : throw Bad(c, o.ToString(System.Globalization.CultureInfo.InvariantCulture), "original_max_position_embeddings", "a positive integer");
        return c.Int("original_max_position_embeddings");
    }

    /// <summary>Llama 3.1's scaling as per-pair frequency divisors: 1 for wavelengths below original/high_freq_factor,
    /// factor above original/low_freq_factor, and a smooth blend between; computed in single precision.</summary>
    public static float[] Llama3Factors(HfConfig c)
    {
        var rs = c.Object("rope_scaling")!.Value;
        int dim = HeadDim(c);
        float theta = c.Float("rope_theta") ?? 10000f;
        float factor = (float)(Number(c, rs, "factor") ?? 8.0);
        float low = (float)(Number(c, rs, "low_freq_factor") ?? 1.0);
        float high = (float)(Number(c, rs, "high_freq_factor") ?? 4.0);
        float original = (float)(Number(c, rs, "original_max_position_embeddings") ?? 8192.0);
        if (factor <= 0f) throw Bad(c, factor.ToString(System.Globalization.CultureInfo.InvariantCulture), "factor", "a positive number");
        float lowWavelength = original / low, highWavelength = original / high;
        var r = new float[dim / 2];
        for (int i = 0; i < r.Length; i++)
        {
            float freq = 1f / MathF.Pow(theta, 2 * i / (float)dim);
            float wavelength = 2f * MathF.PI / freq;
            if (wavelength < highWavelength) r[i] = 1f;
            else if (wavelength > lowWavelength) r[i] = factor;
            else
            {
                float smooth = (original / wavelength - low) / (high - low);
                r[i] = 1f / ((1f - smooth) / factor + smooth);
            }
        }
        return r;
    }

    /// <summary>Phi-3's long and short factors (rope_dims / 2 each) and the attention factor
    /// sqrt(1 + ln(s) / ln(original)) for s = max_position_embeddings / original (1 when s ≤ 1); null without long_factor.</summary>
    public static (float[] Long, float[] Short, float AttnFactor)? LongRope(HfConfig c, int ropeDims)
    {
        if (c.Object("rope_scaling") is not { } rs || Numbers(c, rs, "long_factor") is not { Length: > 0 } longF) return null;
        string? type = Type(c);
        if (type is not ("su" or "longrope"))
            throw new UnsupportedModelException($"{c.Path}: field 'rope_scaling' has long/short factors with type '{type}', which checkpoint loading does not support (supported: su, longrope)");
        var shortF = Numbers(c, rs, "short_factor") ?? throw new ModelFormatException($"{c.Path}: field 'rope_scaling.short_factor' is missing (long_factor is given)");
        if (longF.Length != ropeDims / 2 || shortF.Length != ropeDims / 2)
            throw new ModelFormatException($"{c.Path}: fields 'rope_scaling.long_factor' and 'rope_scaling.short_factor' hold {longF.Length} and {shortF.Length} values; the rotary dimension {ropeDims} needs {ropeDims / 2} each");
        int original = OriginalContext(c) ?? throw new ModelFormatException($"{c.Path}: field 'original_max_position_embeddings' is missing (rope_scaling has long/short factors)");
        int max = c.Int("n_positions", "max_position_embeddings") ?? throw new ModelFormatException($"{c.Path}: field 'max_position_embeddings' is missing");
        double scale = (double)max / original;
        float attn = scale > 1.0 ? (float)Math.Sqrt(1 + Math.Log(scale) / Math.Log(original)) : 1f;
        return (longF, shortF, attn);
    }
}
